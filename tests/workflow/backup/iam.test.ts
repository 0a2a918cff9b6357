/**
 * Least privilege must still be enough: every EC2 call a backup handler makes in a real run
 * (snapshot, register, copy, share, rotate) is granted by that function's own role in
 * serverless/functions-backup.yml. This checks the action names over in-process handlers; the
 * packaged stack under the local cloud's IAM mode (tests/integration/local-deploy/
 * iam-enforced.test.ts) also evaluates resources and conditions, as AWS does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Ec2Port } from '../../../shared/backup-service/ports/ec2.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import {
  INSTANCE_A,
  INSTANCE_B,
  type OldBackup,
  policy,
  runInput,
  SOURCE,
  seedFleet,
  seedOldBackups,
} from './scenario.ts';

const require = createRequire(import.meta.url);

interface IamStatement {
  Effect: string;
  Action: string | string[];
}

/** Port method → the IAM action of the EC2 API it calls. */
const ACTION_OF: Record<keyof Ec2Port, string> = {
  region: '',
  describeInstances: 'ec2:DescribeInstances',
  describeVolumes: 'ec2:DescribeVolumes',
  describeSnapshots: 'ec2:DescribeSnapshots',
  describeImages: 'ec2:DescribeImages',
  describeLaunchImage: 'ec2:DescribeImages',
  getInstanceUefiData: 'ec2:GetInstanceUefiData',
  createSnapshots: 'ec2:CreateSnapshots',
  createSnapshot: 'ec2:CreateSnapshot',
  registerImage: 'ec2:RegisterImage',
  createImage: 'ec2:CreateImage',
  copyImage: 'ec2:CopyImage',
  addLaunchPermissions: 'ec2:ModifyImageAttribute',
  deregisterImage: 'ec2:DeregisterImage',
  deleteSnapshot: 'ec2:DeleteSnapshot',
};

/** `${file(./serverless/<module>.cjs):<export>}`, resolved as serverless does (a function export is called). */
async function resolveFile(reference: string): Promise<IamStatement | IamStatement[]> {
  const match = /^\$\{file\(\.\/serverless\/([\w-]+\.cjs)\):(\w+)\}$/.exec(reference);
  if (!match) throw new Error(`unresolved ${reference}`);
  const exported = (require(`../../../serverless/${match[1]}`) as Record<string, unknown>)[match[2] ?? ''];
  if (exported === undefined) throw new Error(`unresolved ${reference}`);
  const context = {
    resolveVariable: async (name: string) => (name === 'sls:stage' ? 'dev' : 'config/shipyard.dev.yml'),
  };
  return typeof exported === 'function'
    ? await (exported as (c: unknown) => Promise<IamStatement | IamStatement[]>)(context)
    : (exported as IamStatement[]);
}

async function grantedActions(functionKey: string): Promise<Set<string>> {
  const functions = parse(readFileSync('serverless/functions-backup.yml', 'utf8')) as Record<
    string,
    { iamRoleStatements: (IamStatement | string)[] | string }
  >;
  const declared = functions[functionKey]?.iamRoleStatements ?? [];
  const items = typeof declared === 'string' ? [declared] : declared;
  const statements = (
    await Promise.all(items.map(async (item) => (typeof item === 'string' ? resolveFile(item) : item)))
  ).flat();
  return new Set(
    statements
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
  );
}

const VOLUME = 'vol-0d0000000000000d1';

describe('backup IAM covers what the handlers call', () => {
  const local = useLocalCloud();

  it('grants each function every EC2 action it used in a full run with copies, sharing and rotation', async () => {
    // Prepare: old backups to rotate (AMI + snapshot for an instance, snapshots only for a volume).
    await seedFleet(local().control);
    const old = (day: number): OldBackup => ({
      policy: 'nightly',
      target: INSTANCE_A,
      runId: `nightly-2026-01-${day}`,
      createdAt: `2026-01-${day}T00:30:00.000Z`,
      hex: `0e${day}0000000000000`,
    });
    await seedOldBackups(local().control, SOURCE, [20, 21, 22].map(old));
    await local().control.seed({
      ec2: {
        snapshots: [20, 21, 22].map((day) => ({
          region: SOURCE,
          snapshotId: `snap-0f${day}0000000000000`,
          volumeId: VOLUME,
          startTime: `2026-01-${day}T00:30:00.000Z`,
          sizeGiB: 8,
          tags: {
            'shipyard:managed': 'true',
            'shipyard:policy': 'nightly',
            'shipyard:target': VOLUME,
            'shipyard:run': `nightly-2026-01-${day}`,
            'shipyard:created-at': `2026-01-${day}T00:30:00.000Z`,
            'shipyard:kind': 'snapshot',
          },
        })),
      },
    });
    const calls = new Map<string, Set<string>>();
    const workflow = await createBackupWorkflow(local, {
      decorateDeps: (deps, functionKey) => ({
        ...deps,
        kms: (region) => {
          const port = deps.kms?.(region);
          if (port === undefined) throw new Error('the workflow has a KMS port');
          return {
            describeKey: (keyId) => {
              const used = calls.get(functionKey) ?? new Set<string>();
              calls.set(functionKey, used);
              used.add('kms:DescribeKey');
              return port.describeKey(keyId);
            },
          };
        },
        ec2: (region) => {
          const port = deps.ec2(region);
          const used = calls.get(functionKey) ?? new Set<string>();
          calls.set(functionKey, used);
          return new Proxy(port, {
            get(target, key, receiver) {
              const value = Reflect.get(target, key, receiver);
              if (typeof value !== 'function') return value;
              return (...args: unknown[]) => {
                used.add(ACTION_OF[key as keyof Ec2Port]);
                return value.apply(target, args);
              };
            },
          });
        },
      }),
    });
    // Act
    const result = await workflow.run(
      runInput(
        policy({
          targets: { instanceIds: [INSTANCE_A, INSTANCE_B], volumeIds: [VOLUME] },
          retention: { keepLast: 1 },
        }),
        'nightly-2026-02-01',
      ),
    );
    // Assess: the run exercised every step, and each step's calls are granted.
    expect(result.status).toBe('succeeded');
    expect([...(calls.get('backupRotate') ?? [])]).toEqual(
      expect.arrayContaining(['ec2:DeregisterImage', 'ec2:DeleteSnapshot']),
    );
    // ResumeWait checks what the events announce: snapshot sets, AMIs, copies.
    expect([...(calls.get('backupResumeWait') ?? [])]).toEqual(
      expect.arrayContaining(['ec2:DescribeSnapshots', 'ec2:DescribeImages']),
    );
    const missing: string[] = [];
    for (const [functionKey, used] of calls) {
      const granted = await grantedActions(functionKey);
      for (const action of used) if (!granted.has(action)) missing.push(`${functionKey}: ${action}`);
    }
    expect(missing).toEqual([]);
  });

  it('grants the dry run only Describe actions, and the dry run uses nothing else', async () => {
    // Prepare
    await seedFleet(local().control);
    const used = new Set<string>();
    const workflow = await createBackupWorkflow(local, {
      decorateDeps: (deps, functionKey) =>
        functionKey !== 'backupPlanTarget'
          ? deps
          : {
              ...deps,
              ec2: (region) =>
                new Proxy(deps.ec2(region), {
                  get(target, key, receiver) {
                    const value = Reflect.get(target, key, receiver);
                    if (typeof value !== 'function') return value;
                    return (...args: unknown[]) => {
                      used.add(ACTION_OF[key as keyof Ec2Port]);
                      return value.apply(target, args);
                    };
                  },
                }),
            },
    });
    // Act
    const result = await workflow.run(
      runInput(policy({ targets: { instanceIds: [INSTANCE_A], volumeIds: [VOLUME] } }), 'nightly-dry', {
        dryRun: true,
      }),
    );
    // Assess
    expect(result.status).toBe('succeeded');
    const granted = await grantedActions('backupPlanTarget');
    // Read-only, the run records included: s3:ListBucket lists which runs were recorded.
    expect([...granted].sort()).toEqual([
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:DescribeVolumes',
      's3:ListBucket',
    ]);
    expect([...used].filter((action) => !granted.has(action))).toEqual([]);
    expect(used.size).toBeGreaterThan(0);
  });
});
