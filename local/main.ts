import { DEFAULT_PORT, startLocalCloud } from './server.ts';

/** `npm run local`: the local cloud on 127.0.0.1:4566 until Ctrl-C. */
const port = Number(process.env.SHIPYARD_LOCAL_PORT ?? DEFAULT_PORT);
const host = process.env.SHIPYARD_LOCAL_HOST ?? '127.0.0.1';
const speed = Number(process.env.SHIPYARD_LOCAL_SPEED ?? 1);

const running = await startLocalCloud({ port, host, clock: { speed } });
console.log(`Shipyard local cloud listening on ${running.url} (clock speed ${speed}x)

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
