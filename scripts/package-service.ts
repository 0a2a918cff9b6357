import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const SERVERLESS_BIN = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

export interface PackagedService {
  /** Folder with the zips and the CloudFormation templates. */
  dir: string;
  stage: string;
  /** cloudformation-template-update-stack.json: what `serverless deploy` would send to AWS. */
  template: CloudFormationTemplate;
  templatePath: string;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
  Outputs?: Record<string, unknown>;
}

/**
 * Runs `serverless package` (osls, offline) into a fresh folder, exactly as CI and a deploy
 * would, and returns the template. Uses the Node that runs this process (22 under npm).
 */
export const packageService = async (stage = 'dev', outDir?: string): Promise<PackagedService> => {
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), `shipyard-package-${stage}-`)));
  await run(process.execPath, [SERVERLESS_BIN, 'package', '--stage', stage, '--package', dir], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*' },
    maxBuffer: 32 * 1024 * 1024,
  });
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as CloudFormationTemplate;
  return { dir, stage, template, templatePath };
};

/** `serverless print` for a stage: the fully resolved service configuration as YAML. */
export const printService = async (stage: string): Promise<string> => {
  const { stdout } = await run(process.execPath, [SERVERLESS_BIN, 'print', '--stage', stage], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
};
