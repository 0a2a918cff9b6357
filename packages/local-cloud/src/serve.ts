import type { IamMode } from './iam/modes.ts';
import { DEFAULT_PORT, type RunningLocalCloud, startLocalCloud } from './server.ts';

/** The port is taken (another local cloud, or any other server): a user error, not a crash. */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(
      `port ${port} on ${host} is already in use (another local cloud?): stop it, or pick another port with --port N`,
      options,
    );
    this.name = 'PortInUseError';
  }
}

export interface ServeOptions {
  port?: number;
  host?: string;
  speed?: number;
  /** IAM mode (`enforce`: local Lambdas' calls are evaluated against their roles); SHIPYARD_LOCAL_IAM when absent. */
  iam?: IamMode;
  log?: (text: string) => void;
}

/** Starts the local cloud for a person (`npm run local`, `shipyard local start`) and prints how to use it. */
export const serveLocalCloud = async (options: ServeOptions = {}): Promise<RunningLocalCloud> => {
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  const speed = options.speed ?? 1;
  let running: RunningLocalCloud;
  try {
    running = await startLocalCloud({
      port,
      host,
      clock: { speed },
      ...(options.iam !== undefined ? { iam: options.iam } : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(host, port, { cause: error });
    throw error;
  }
  (
    options.log ?? console.log
  )(`Shipyard local cloud listening on ${running.url} (clock speed ${speed}x, IAM ${running.cloud.iamMode})

Point any AWS client at it (any credentials, any region):
  export AWS_ENDPOINT_URL=${running.url} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=ap-south-1
  aws --endpoint-url ${running.url} ec2 describe-snapshots --owner-ids self
  aws --endpoint-url ${running.url} cloudfront list-distributions
  aws --endpoint-url ${running.url} s3api list-objects-v2 --bucket my-site

Control API: ${running.url}/_shipyard/{health,reset,seed,clock,clock/advance,faults,counters,state}
  curl -s -XPOST ${running.url}/_shipyard/clock/advance -d '{"minutes":30}'
`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return running;
};
