import { Command, CommanderError } from 'commander';
import { register as registerBackup } from './commands/backup.ts';
import { register as registerConfig } from './commands/config.ts';
import { register as registerDrill } from './commands/drill.ts';
import { register as registerInvalidate } from './commands/invalidate.ts';
import { register as registerLocal } from './commands/local.ts';
import { register as registerNotifyDeploy } from './commands/notify-deploy.ts';
import { register as registerRestore } from './commands/restore.ts';
import { register as registerVerify } from './commands/verify.ts';
import { EXIT, UserError } from './errors.ts';
import { createOutput } from './output.ts';

/**
 * The `shipyard` operator CLI. Commands register themselves on the program; user errors
 * are one line on stderr with a meaningful exit code, never a stack trace.
 */
const buildProgram = (argv: string[]): Command => {
  const json = argv.includes('--json');
  const output = createOutput(json);
  const program = new Command('shipyard')
    .description('Shipyard: precise CloudFront invalidations and cross-region AMI backups')
    .option('--region <region>', 'AWS region (default: AWS_REGION or us-east-1)')
    .option('--profile <profile>', 'AWS profile from the shared config files')
    .option('--local', 'talk to the local cloud (SHIPYARD_LOCAL_ENDPOINT or http://127.0.0.1:4566)')
    .option('--endpoint <url>', 'explicit AWS endpoint URL (e.g. a local cloud on another port)')
    .option('--config <file>', 'Shipyard config file', process.env.SHIPYARD_CONFIG_FILE)
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerConfig(program, output);
  registerLocal(program, output);
  registerInvalidate(program, output);
  registerNotifyDeploy(program, output);
  registerBackup(program, output);
  registerRestore(program, output);
  registerVerify(program, output);
  registerDrill(program, output);
  return program;
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

type ErrorLike = { name?: string; code?: string; message?: string; cause?: unknown; errors?: unknown[] };

/** The first error in the cause chain (adapters wrap SDK errors) that matches. */
const findInChain = (
  error: unknown,
  matches: (e: ErrorLike) => boolean,
  depth = 0,
): ErrorLike | undefined => {
  if (!error || typeof error !== 'object' || depth > 8) return undefined;
  const e = error as ErrorLike;
  if (matches(e)) return e;
  for (const inner of Array.isArray(e.errors) ? e.errors : []) {
    const found = findInChain(inner, matches, depth + 1);
    if (found) return found;
  }
  return findInChain(e.cause, matches, depth + 1);
};

const isConnectionError = (error: unknown): boolean =>
  findInChain(error, (e) => e.code !== undefined && CONNECTION_CODES.has(e.code)) !== undefined;

/** The SDK's credential chain found nothing (no keys, profile, SSO or instance role). */
const missingCredentials = (error: unknown): ErrorLike | undefined =>
  findInChain(error, (e) => e.name === 'CredentialsProviderError');

export const main = async (argv: string[]): Promise<number> => {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UserError) {
      process.stderr.write(`shipyard: ${error.message}\n`);
      return error.exitCode;
    }
    const credentials = missingCredentials(error);
    if (credentials) {
      process.stderr.write(
        `shipyard: no AWS credentials (${(credentials.message ?? '').split('\n')[0]}): set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --local / --endpoint for the local cloud\n`,
      );
      return EXIT.unreachable;
    }
    if (isConnectionError(error)) {
      process.stderr.write(`shipyard: cannot reach the AWS endpoint (${(error as Error).message})\n`);
      return EXIT.unreachable;
    }
    process.stderr.write(`shipyard: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
};
