import { isAbsolute, join } from 'node:path';

/**
 * Where a function finds its config file. Lambda runs with the package root
 * (LAMBDA_TASK_ROOT) as working directory; resolving against it explicitly makes the same
 * relative path work wherever the bundle runs (the local cloud runs bundles in workers,
 * which cannot change directory).
 *
 * @example
 * resolveConfigPath('config/shipyard.dev.yml', { LAMBDA_TASK_ROOT: '/var/task' }) // '/var/task/config/shipyard.dev.yml'
 */
export const resolveConfigPath = (file: string, env: NodeJS.ProcessEnv = process.env): string =>
  isAbsolute(file) || !env.LAMBDA_TASK_ROOT ? file : join(env.LAMBDA_TASK_ROOT, file);
