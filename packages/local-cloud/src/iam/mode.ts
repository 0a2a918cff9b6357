import { IAM_MODE_VARIABLE, IAM_MODES, type IamMode } from './modes.ts';

/** SHIPYARD_LOCAL_IAM (`off` or `enforce`); unset is `off`, anything else a clear error. */
export const iamModeFromEnvironment = (env: NodeJS.ProcessEnv = process.env): IamMode => {
  const value = env[IAM_MODE_VARIABLE];
  if (value === undefined || value === '') return 'off';
  if ((IAM_MODES as readonly string[]).includes(value)) return value as IamMode;
  throw new RangeError(
    `${IAM_MODE_VARIABLE}: "${value}" is not an IAM mode (expected ${IAM_MODES.join(' or ')})`,
  );
};
