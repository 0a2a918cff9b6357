import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { printService } from '../../scripts/package-service.ts';

interface Printed {
  provider: { stage: string; environment: Record<string, string> };
  functions: Record<
    string,
    { iamRoleStatements?: { Action: string[] | string; Resource: unknown; Condition?: unknown }[] }
  >;
}

let printed: Printed;
let raw: string;

beforeAll(async () => {
  raw = await printService('prod');
  printed = parseYaml(raw) as Printed;
});

describe('serverless print --stage prod (offline)', () => {
  it('resolves every variable from the prod config', () => {
    expect(printed.provider.stage).toBe('prod');
    expect(printed.provider.environment.SHIPYARD_CONFIG_FILE).toBe('config/shipyard.prod.yml');
    // An unresolved Serverless variable would still read ${…} (CloudFormation's own Fn::Sub strings are fine).
    expect(raw).not.toMatch(/\$\{(self|file|param|opt|sls|env):/);
  });

  it('grants KMS on exactly the prod copy region keys', () => {
    const config = parseYaml(readFileSync('config/shipyard.prod.yml', 'utf8')) as {
      backupPolicies: { copyRegions: { kmsKeyId?: string }[] }[];
    };
    const keys = config.backupPolicies.flatMap((p) =>
      p.copyRegions.flatMap((c) => (c.kmsKeyId ? [c.kmsKeyId] : [])),
    );
    const kmsStatements = Object.values(printed.functions).flatMap((fn) =>
      (fn.iamRoleStatements ?? []).filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:'))),
    );
    const onlyDescribes = (s: (typeof kmsStatements)[number]) =>
      [s.Action].flat().every((a) => a === 'kms:DescribeKey');
    // Using a key (encrypt, decrypt, grant) is granted on exactly the configured keys.
    const useResources = kmsStatements.filter((s) => !onlyDescribes(s)).flatMap((s) => [s.Resource].flat());
    expect(keys.length).toBeGreaterThan(0);
    expect([...new Set(useResources)].sort()).toEqual([...new Set(keys)].sort());
    // Reading a key's metadata (ShareImage: is a snapshot's key aws/ebs?) may also name the
    // region's keys, but only through the aws/ebs alias (kms:ResourceAliases).
    for (const statement of kmsStatements.filter(onlyDescribes)) {
      const named = [statement.Resource].flat().filter((r) => !keys.includes(r as string));
      if (named.length > 0) expect(JSON.stringify(statement.Condition)).toContain('alias/aws/ebs');
    }
  });
});
