import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { withPackageLock } from './package-lock.ts';

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
  await withPackageLock(() =>
    run(process.execPath, [SERVERLESS_BIN, 'package', '--stage', stage, '--package', dir], {
      cwd: ROOT,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
      },
      maxBuffer: 32 * 1024 * 1024,
    }),
  );
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as CloudFormationTemplate;
  return { dir, stage, template, templatePath };
};

/**
 * `serverless package` with another config file (`--param configFile=…`, relative to the
 * repository as serverless.yml expects), into a throwaway folder; resolves with how it ended,
 * failures included.
 */
export const packageWithConfig = async (
  stage: string,
  configFile: string,
): Promise<{ code: number; stdout: string; stderr: string }> => {
  const dir = await mkdtemp(join(tmpdir(), `shipyard-package-${stage}-`));
  try {
    return await withPackageLock(() =>
      run(
        process.execPath,
        [
          SERVERLESS_BIN,
          'package',
          '--stage',
          stage,
          '--package',
          dir,
          '--param',
          `configFile=${relative(ROOT, resolve(configFile))}`,
        ],
        {
          cwd: ROOT,
          env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
          maxBuffer: 32 * 1024 * 1024,
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: typeof error.code === 'number' ? error.code : 1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? '',
        }),
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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

/** Everything `serverless package` reads: a change to any of it means a new package. */
const PACKAGE_INPUTS = [
  'serverless.yml',
  'serverless',
  'functions',
  'shared',
  'statemachines',
  'config',
  'package-lock.json',
];

const hashInputs = (): string => {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) visit(join(path, entry));
      return;
    }
    hash.update(path).update('\0').update(readFileSync(full)).update('\0');
  };
  for (const input of PACKAGE_INPUTS) visit(input);
  return hash.digest('hex').slice(0, 16);
};

/**
 * `packageService` once per source state: test files that all need the packaged artifact
 * (template assertions, bundle checks, the local deploy) share one package instead of each
 * running the framework. Keyed by a hash of every input, so a stale package is never used.
 */
export const packageServiceCached = async (stage = 'dev'): Promise<PackagedService> => {
  const dir = join(tmpdir(), `shipyard-package-${stage}-${hashInputs()}`);
  const done = join(dir, '.complete');
  if (!existsSync(done)) {
    const fresh = await packageService(stage);
    await writeFile(join(fresh.dir, '.complete'), '');
    // Another worker may have finished first: keep whichever package landed.
    await rename(fresh.dir, dir).catch(async () => rm(fresh.dir, { recursive: true, force: true }));
  }
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as CloudFormationTemplate;
  return { dir, stage, template, templatePath };
};
