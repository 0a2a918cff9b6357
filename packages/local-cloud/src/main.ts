import { parseArgs } from 'node:util';
import { iamModeFromEnvironment } from './iam/mode.ts';
import { IAM_MODE_VARIABLE, type IamMode } from './iam/modes.ts';
import { PortInUseError, serveLocalCloud } from './serve.ts';
import { DEFAULT_PORT } from './server.ts';

/**
 * `npm run local [-- --port N --host H --speed S --iam off|enforce]`: the local cloud until Ctrl-C.
 * The options default to SHIPYARD_LOCAL_PORT (4566), SHIPYARD_LOCAL_HOST (127.0.0.1),
 * SHIPYARD_LOCAL_SPEED (1), SHIPYARD_LOCAL_IAM (off).
 * Bad options and a busy port are one line on stderr and exit 2.
 */
const fail = (message: string): never => {
  process.stderr.write(`shipyard local: ${message}\n`);
  process.exit(2);
};

let values: { port?: string; host?: string; speed?: string; iam?: string };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      speed: { type: 'string' },
      iam: { type: 'string' },
    },
  }));
} catch (error) {
  values = fail((error as Error).message);
}
const portText = values.port ?? process.env.SHIPYARD_LOCAL_PORT ?? String(DEFAULT_PORT);
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`--port: "${portText}" is not a port (expected 0-65535)`);
const speedText = values.speed ?? process.env.SHIPYARD_LOCAL_SPEED ?? '1';
const speed = Number(speedText);
if (!Number.isFinite(speed) || speed < 0)
  fail(`--speed: "${speedText}" is not a clock speed (expected a number ≥ 0)`);

let iam: IamMode = 'off';
try {
  iam = iamModeFromEnvironment(values.iam === undefined ? process.env : { [IAM_MODE_VARIABLE]: values.iam });
} catch (error) {
  fail(`--iam: ${(error as Error).message}`);
}

try {
  await serveLocalCloud({
    port,
    host: values.host ?? process.env.SHIPYARD_LOCAL_HOST ?? '127.0.0.1',
    speed,
    iam,
  });
} catch (error) {
  if (error instanceof PortInUseError) fail(error.message);
  throw error;
}
