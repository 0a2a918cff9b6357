/**
 * The local cloud's public entry: start and stop it, drive it through its control routes,
 * deploy a packaged CloudFormation template into it, and read what a test or a benchmark
 * needs to know of its model. Nothing else of this package is imported from outside it.
 */
export { LOCAL_ACCOUNT_ID, type LocalCloud, type LocalCloudOptions } from './cloud.ts';
export { type ClockView, ControlClient } from './control-client.ts';
export { type DeployOptions, deployTemplate } from './deploy/deploy.ts';
export { type DeployReport, formatReport } from './deploy/report.ts';
export type { NotifiedSite } from './deploy/sites.ts';
export { DEFAULT_DURATIONS, type Durations } from './durations.ts';
export { POLLER_ROUNDS } from './pump.ts';
export { PortInUseError, type ServeOptions, serveLocalCloud } from './serve.ts';
export { DEFAULT_PORT, type RunningLocalCloud, type StartOptions, startLocalCloud } from './server.ts';
export { EVENT_FAULT_SERVICE as EC2_EVENT_FAULT_SERVICE } from './services/ec2/events.ts';
export { copyDurationMs, snapshotDurationMs } from './services/ec2/lifecycle.ts';
export { CONCURRENT_AMI_COPIES_PER_REGION, DEFAULT_LIMITS, type Ec2Limits } from './services/ec2/limits.ts';
export { registerLocalFunction } from './services/lambda/register.ts';
export { functionLogs } from './services/lambda/store.ts';
export { MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES } from './services/stepfunctions/errors.ts';
export { DISTRIBUTED_MAX_CONCURRENCY } from './services/stepfunctions/map-run.ts';
export { readZip, type ZipEntry } from './zip.ts';
