/**
 * Packaging validates the config as `shipyard config validate` does: a refused config fails
 * `serverless package` with the same messages, before anything is built.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageWithConfig } from '../../scripts/package-service.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('serverless package and the config', () => {
  it('fails on a config that config validate refuses, with the same message', async () => {
    // Prepare: the dev config with a cron that fires on no date (30 February)
    const file = join(mkdtempSync(join(tmpdir(), 'shipyard-bad-config-')), 'shipyard.yml');
    writeFileSync(
      file,
      readFileSync('config/shipyard.dev.yml', 'utf8').replace('cron(0 2 * * ? *)', '0 2 30 2 ? *'),
    );
    const shown = relative(ROOT, file);
    const validate = await run(process.execPath, ['cli/shipyard.mjs', 'config', 'validate', shown], {
      cwd: ROOT,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
    // Act
    const packaged = await packageWithConfig('dev', file);
    // Assess
    expect(validate.code).toBe(2);
    const problem = validate.stdout.split('\n').find((line) => line.includes('never fires'));
    expect(problem).toMatch(/shipyard\.yml:\d+:\d+ backupPolicies\[0\]\.schedule\.cron: cron: never fires/);
    expect(packaged.code).not.toBe(0);
    expect(packaged.stderr).toContain(problem);
    expect(packaged.stderr).toContain('serverless package: the Shipyard config is invalid');
  });
});
