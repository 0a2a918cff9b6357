/**
 * The CLI as a user runs it: `node cli/shipyard.mjs …` in a child process with AWS
 * credentials in the environment, against the local cloud of this test file. Spawned
 * asynchronously: the local cloud answers from this process's event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { LOCAL_ACCOUNT_ID, registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig, LOCAL_ROLE_ARN } from '@shipyard/local-cloud/testing';
import { createEc2PortFactory } from '../../../shared/aws/ec2.ts';
import { createSfnTaskCallbacks } from '../../../shared/aws/sfn-task-tokens.ts';
import { policyParameterName } from '../../../shared/aws/ssm-policies.ts';
import { type BackupDeps, silentLogger } from '../../../shared/backup-service/deps.ts';
import type { BackupPolicy } from '../../../shared/config/policies.ts';
import {
  handlerPathOf,
  loadBackupDefinition,
  taskFunctionKeys,
  withResultsBucket,
} from '../../helpers/backup-asl.ts';
import {
  deployed,
  localCopyQueue,
  localRunFiles,
  localRunRecords,
  localWaitStore,
} from '../../helpers/backup-deps.ts';
import { installResumeRules } from '../../helpers/event-waits.ts';

const CLI = fileURLToPath(new URL('../../../cli/shipyard.mjs', import.meta.url));
/**
 * A hung CLI must fail the test, not the suite: it is killed after this much real time without
 * progress — no output and no CPU time used (a slow machine's CLI keeps using CPU while it
 * loads and works; a hung one waits on nothing). A bound on progress, not on duration.
 */
const KILL_WITHOUT_PROGRESS_MS = 60_000;
/** How often the guard looks at the child's CPU time. */
const GUARD_EVERY_MS = 1_000;

/** User + system CPU ticks of a process (Linux /proc); undefined where there is none. */
const cpuTicks = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
};

/** Kills `child` once KILL_WITHOUT_PROGRESS_MS pass with neither output nor CPU used; returns the stop. */
const killWhenStalled = (child: ChildProcess): { progressed: () => void; stop: () => void } => {
  let lastProgress = Date.now();
  let lastTicks = cpuTicks(child.pid);
  const timer = setInterval(() => {
    const ticks = cpuTicks(child.pid);
    if (ticks !== undefined && ticks !== lastTicks) {
      lastTicks = ticks;
      lastProgress = Date.now();
    }
    if (Date.now() - lastProgress > KILL_WITHOUT_PROGRESS_MS) child.kill('SIGKILL');
  }, GUARD_EVERY_MS);
  return {
    progressed: () => {
      lastProgress = Date.now();
    },
    stop: () => clearInterval(timer),
  };
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with only the environment a user would set (no AWS_ENDPOINT_URL leaking in). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const guard = killWhenStalled(child);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      guard.progressed();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      guard.progressed();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      guard.stop();
      resolve({ code, stdout, stderr });
    });
  });
}

/** A config file with these backup policies (YAML text) in a fresh directory. */
export function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'shipyard-cli-')), 'shipyard.yml');
  writeFileSync(file, text);
  return file;
}

/** The one-line error contract: a single `shipyard: …` line, no stack trace. */
export const isOneLine = (stderr: string): boolean => {
  const lines = stderr.trimEnd().split('\n');
  return lines.length === 1 && !/\n\s+at /.test(stderr);
};

/**
 * Deploys the real backup ASL into the local cloud as `shipyard-<stage>-backup`: each
 * Task resource is a local function running the real handler with EC2 clients pointing at
 * the local cloud and the local cloud's clock, `policies` as the deployed policies, each
 * also published as the stack's read-only SSM parameter.
 */
export async function deployBackupMachine(
  local: RunningLocalCloud,
  region: string,
  policies: BackupPolicy[],
  stage = 'dev',
): Promise<string> {
  const ssm = new SSMClient(clientConfig(local.url, region));
  for (const p of policies)
    await ssm.send(
      new PutParameterCommand({
        Name: policyParameterName(stage, p.name),
        Type: 'String',
        Value: JSON.stringify({ policy: p }),
        Overwrite: true,
      }),
    );
  const definition = loadBackupDefinition();
  const deps: BackupDeps = {
    ec2: createEc2PortFactory({
      clientFor: (r) => new EC2Client({ ...clientConfig(local.url, r), maxAttempts: 2 }),
    }),
    logger: silentLogger,
    now: () => new Date(local.cloud.now()),
    policies: deployed(...policies),
    runRecords: localRunRecords(() => local),
    runFiles: localRunFiles(() => local),
    // The waiting steps park their tokens; ResumeWait answers the deployed machine's tasks.
    waits: {
      store: localWaitStore(() => local),
      queue: localCopyQueue(() => local),
      callbacks: createSfnTaskCallbacks({ client: new SFNClient(clientConfig(local.url, region)) }),
    },
  };
  const resume = (await import('../../../functions/backup-resume-wait/handler.ts')).makeHandler(deps);
  const regions = policies.flatMap((p) => [p.sourceRegion, ...p.copyRegions.map((c) => c.region)]);
  await installResumeRules(local, region, regions, resume);
  const arns = new Map<string, string>();
  for (const key of new Set(taskFunctionKeys(definition).values())) {
    const module = (await import(new URL(`../../../${handlerPathOf(key)}`, import.meta.url).href)) as {
      makeHandler: (deps: BackupDeps) => (event: unknown) => Promise<unknown>;
    };
    const fn = registerLocalFunction(local.cloud, {
      name: `shipyard-${stage}-${key}`,
      region,
      timeoutSeconds: 600,
      handler: module.makeHandler(deps),
    });
    arns.set(key, fn.arn);
  }
  const text = JSON.stringify(withResultsBucket(definition)).replace(
    /"\$\{([A-Za-z][A-Za-z0-9]*)\}"/g,
    (_m, key: string) => JSON.stringify(arns.get(key) ?? `missing-${key}`),
  );
  const sfn = new SFNClient(clientConfig(local.url, region));
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: `shipyard-${stage}-backup`,
      definition: text,
      roleArn: LOCAL_ROLE_ARN.replace('123456789012', LOCAL_ACCOUNT_ID),
    }),
  );
  return created.stateMachineArn ?? '';
}
