/** Test support for suites that run against the local cloud (and against moto, its reference). */

export { mappedOperations } from '../src/iam/requests/index.ts';
export { waitForAsyncInvocations } from './async-invocations.ts';
export { botocoreEnv, clientConfig, TEST_CREDENTIALS, useLocalCloud } from './local-cloud.ts';
export {
  findMotoServer,
  freePort,
  MOTO_ACCOUNT_ID,
  MOTO_BINARY,
  type RunningMoto,
  startMoto,
  useMoto,
} from './moto.ts';
export {
  LOCAL_ROLE_ARN,
  lambdaArn,
  STALL_MS,
  waitForExecution,
} from './step-functions.ts';
export { storedZip } from './zip.ts';
