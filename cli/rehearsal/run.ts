import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { deployTemplate, functionLogs, type RunningLocalCloud, startLocalCloud } from '@shipyard/local-cloud';
import { packageServiceCached } from '../../scripts/package-service.ts';
import { createS3ObjectsPort } from '../../shared/aws/s3-objects.ts';
import { createBackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import type { ShipyardConfig } from '../../shared/config/schema.ts';
import { DEMO, type SeededAccelerator, seedDemoAccount } from './demo-account.ts';
import { deployBudgets, followFreshness } from './edge.ts';
import { deployEventForwarders } from './forwarders.ts';
import { checkEnforcedIam } from './iam-check.ts';
import { runNights } from './nights.ts';
import { buildSummary, type CloudState, type RehearsalSummary } from './report.ts';
import { docsRelease, webRelease } from './site-content.ts';
import { releaseDocsThroughGit, releaseWebThroughS3Events } from './site-releases.ts';
import { runDemoDrill, verifyNightlyBackups } from './verification.ts';

export interface RehearsalOptions {
  /** Local cloud port; 0 picks a free one. */
  port: number;
  nights: number;
  log: (line: string) => void;
}

const STAGE = 'dev';
const CONFIG_FILE = resolve(import.meta.dirname, '..', '..', `config/shipyard.${STAGE}.yml`);
const POLICY = 'nightly';
const LOG_DIR = resolve(import.meta.dirname, '..', '..', '.shipyard-local');
const SCHEDULE = `shipyard-${STAGE}-backup-${POLICY}`;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The part of the control API's state that says whether an `Event` invocation is still running. */
interface InFlight {
  lambda: { asyncInvocations: { status: string }[] };
}

type Log = (line: string) => void;

/** The deployed stack's physical ids the rehearsal drives. */
interface Deployed {
  backupStateMachineArn: string;
  verifyStateMachineArn: string;
  drillStateMachineArn: string;
  runsBucket: string;
}

const physicalId = (
  report: { resources: { logicalId: string; physicalId?: string }[] },
  logicalId: string,
) => {
  const id = report.resources.find((r) => r.logicalId === logicalId)?.physicalId;
  if (!id) throw new Error(`the template has no ${logicalId}`);
  return id;
};

/** Packages Shipyard (the real artifact) and deploys its template into the local cloud. */
async function deployShipyard(local: RunningLocalCloud, config: ShipyardConfig, log: Log): Promise<Deployed> {
  log('    Deploying the packaged template into the local cloud…');
  const packaged = await packageServiceCached(STAGE);
  log(`    ${Object.keys(packaged.template.Resources).length} resources in ${packaged.templatePath}`);
  const report = await deployTemplate({
    template: packaged.template,
    packageDir: packaged.dir,
    endpoint: local.url,
    stage: STAGE,
    sites: config.sites,
  });
  if (report.blocking.length > 0) throw new Error(`local deploy blocked by: ${report.blocking.join(', ')}`);
  const counts = new Map<string, number>();
  for (const r of report.resources) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  log(
    `    ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}; site notifications: ${report.sites.map((s) => s.site).join(', ')}`,
  );
  const forwarded = await deployEventForwarders({
    endpoint: local.url,
    stage: STAGE,
    homeRegion: report.region,
    policies: config.backupPolicies,
    packageDir: packaged.dir,
  });
  log(`    event forwarders to ${report.region}: ${forwarded.join(', ')}`);
  return {
    backupStateMachineArn: physicalId(report, 'BackupStateMachine'),
    verifyStateMachineArn: physicalId(report, 'VerifyStateMachine'),
    drillStateMachineArn: physicalId(report, 'DrillStateMachine'),
    runsBucket: physicalId(report, 'BackupRunsBucket'),
  };
}

/** Releases both sites through their triggers and delivers until every distribution has its invalidation. */
async function releaseSites(local: RunningLocalCloud, log: Log) {
  const s3 = createS3ObjectsPort({
    endpoint: local.url,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
  });
  log('4/8 Releasing web v2 with a plain bucket sync (S3 events → SQS → invalidateS3Events)…');
  const web = await releaseWebThroughS3Events(s3);
  log(`    uploaded ${web.uploaded}, removed ${web.removed}`);
  log(
    '    Releasing docs v2 from git: upload, then `shipyard notify-deploy` as a CI step (EventBridge → invalidateDeployEvent)…',
  );
  const docs = await releaseDocsThroughGit(s3, { endpoint: local.url, configFile: CONFIG_FILE });
  log(`    uploaded ${docs.uploaded}, removed ${docs.removed}; deploy ${docs.to.slice(0, 12)}`);
  // The S3 events queue batches for up to 60 s (maximumBatchingWindow): let that pass on the
  // simulated clock so the whole release arrives as one batch, as it would on AWS.
  await local.control.advance({ minutes: 2 });
  await deliverInvalidations(local);
  const fresh = await followFreshness(local.control, 3);
  for (const f of fresh)
    log(
      `    ${f.distributionId} (${f.site}) fresh ${f.secondsToFresh} s after the submission (Invalidation Completed)`,
    );
  const releases = [
    { site: 'web', trigger: 'S3 events through SQS', uploaded: web.uploaded, removed: web.removed },
    { site: 'docs', trigger: 'notify-deploy → EventBridge', uploaded: docs.uploaded, removed: docs.removed },
  ];
  return { releases, fresh };
}

/**
 * Delivers until every distribution has its invalidation, or until nothing is left to deliver
 * and no function is still running (bounded by progress, not by a count of real-time polls).
 */
async function deliverInvalidations(local: RunningLocalCloud) {
  for (;;) {
    const pumped = await local.control.pump();
    const state = await local.control.state<CloudState & InFlight>();
    const withInvalidations = state.cloudfront.distributions.filter((d) => d.invalidations.length > 0).length;
    if (withInvalidations >= 3) break;
    const running = state.lambda.asyncInvocations.some((i) => i.status === 'QUEUED');
    if (!running && pumped.batches.length === 0 && pumped.s3Notifications.length === 0) break;
    await sleep(100);
  }
}

/** The nightly schedule for `nights` simulated nights. */
async function backUpNightly(
  local: RunningLocalCloud,
  policy: BackupPolicy,
  deployed: Deployed,
  nights: number,
  log: Log,
) {
  const [minute, hour] = policy.schedule.cron
    .replace(/^cron\(|\)$/g, '')
    .split(/\s+/)
    .map(Number);
  log(
    `5/8 ${nights} nights of the "${POLICY}" schedule (${policy.schedule.cron} ${policy.schedule.timeZone}): snapshot → AMI → copy to ${policy.copyRegions.map((c) => c.region).join(', ')} → share → rotate`,
  );
  return runNights({
    control: local.control,
    executions: executionsPort(local),
    stateMachineArn: deployed.backupStateMachineArn,
    policy: { name: POLICY, timeZone: policy.schedule.timeZone, hour: hour ?? 2, minute: minute ?? 0 },
    scheduleName: SCHEDULE,
    nights,
    onNight: (n) =>
      log(
        `    night ${String(n.night).padStart(2)} ${n.executionName}: ${n.status}` +
          (n.summary ? ` — ${n.summary.totals.images} AMI(s), ${n.summary.totals.deleted} rotated` : '') +
          (n.error ? ` — ${n.error}` : ''),
      ),
  });
}

const executionsPort = (local: RunningLocalCloud) =>
  createBackupExecutionsPort({ endpoint: local.url, region: 'us-east-1', credentials });

/** The function logs of the whole rehearsal, one JSON line each. */
async function writeFunctionLogs(local: RunningLocalCloud, log: Log) {
  const logs = functionLogs(local.cloud);
  const logFile = resolve(LOG_DIR, 'rehearsal-function-logs.jsonl');
  await mkdir(LOG_DIR, { recursive: true });
  await writeFile(
    logFile,
    Object.entries(logs)
      .flatMap(([fn, lines]) => lines.map((line) => JSON.stringify({ function: fn, line })))
      .join('\n'),
  );
  log(`    ${Object.values(logs).reduce((n, l) => n + l.length, 0)} function log lines in ${logFile}`);
}

/** Restore tests of the newest backups through the deployed state machine, then one drill. */
async function verifyAndDrill(
  local: RunningLocalCloud,
  deployed: Deployed,
  accelerator: SeededAccelerator,
  config: ShipyardConfig,
  log: Log,
) {
  log(`6/8 Verifying the newest backups (${deployed.verifyStateMachineArn.split(':').at(-1)})…`);
  const verified = await verifyNightlyBackups({
    control: local.control,
    executions: executionsPort(local),
    stateMachineArn: deployed.verifyStateMachineArn,
    policy: POLICY,
  });
  for (const v of verified.entries)
    log(
      `    ${v.status} ${v.target} ${v.region} ${v.imageId}${v.secondsToPass === undefined ? '' : ` in ${v.secondsToPass} s`}`,
    );
  log(
    `7/8 Drill: ${DEMO.accelerator.primaryRegion} → ${DEMO.accelerator.standbyRegion} behind ${DEMO.accelerator.name}…`,
  );
  const [demo] = config.drills;
  if (demo === undefined) throw new Error(`${CONFIG_FILE} has no drill`);
  const drill = await runDemoDrill({
    local,
    accelerator,
    executions: executionsPort(local),
    stateMachineArn: deployed.drillStateMachineArn,
    drill: demo,
  });
  log(
    `    ${drill.status}: ${drill.steps.map((s) => `${s.dial} %${s.passed ? '' : ' (failed)'}`).join(' → ')}; dials restored: ${drill.restored}`,
  );
  return { verified, drill };
}

/**
 * The main job on the embedded default: the local cloud, Shipyard packaged and deployed into
 * it from the real artifact, a realistic account, two releases through two triggers, nightly
 * backups with rotation over simulated weeks, restore tests of the newest backups and one
 * failover drill behind the demo accelerator.
 */
export const rehearse = async ({ port, nights, log }: RehearsalOptions): Promise<RehearsalSummary> => {
  const config = parseConfig(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
  const policy = config.backupPolicies.find((p) => p.name === POLICY);
  if (!policy) throw new Error(`${CONFIG_FILE} has no backup policy ${POLICY}`);
  const local = await startLocalCloud({ port, clock: { speed: 0 }, functionLogs: 'capture' });
  try {
    log(`1/8 Local cloud listening on ${local.url}`);
    log(
      '2/8 Seeding the account: 4 instances in ap-south-1, 3 distributions, 2 site buckets, an accelerator…',
    );
    const accelerator = await seedDemoAccount(
      local.control,
      { web: webRelease(1), docs: docsRelease(1) },
      policy.verify?.regions ?? [],
    );
    log('3/8 Packaging Shipyard with serverless package (offline)…');
    const deployed = await deployShipyard(local, config, log);
    const { releases, fresh } = await releaseSites(local, log);
    const results = await backUpNightly(local, policy, deployed, nights, log);
    const { verified, drill } = await verifyAndDrill(local, deployed, accelerator, config, log);
    await checkEnforcedIam(local.control, log);
    log('8/8 Reading the account back…');
    await local.control.pump();
    await writeFunctionLogs(local, log);
    return buildSummary({
      endpoint: local.url,
      releases,
      nights: results,
      state: await local.control.state<CloudState>(),
      fresh,
      budgets: deployBudgets(functionLogs(local.cloud)),
      policy: POLICY,
      unmanagedSnapshotName: DEMO.unmanagedSnapshotTag.Name,
      unselectedInstanceName: 'build-agent',
      lambda: {
        invocations: local.cloud.counters.get('lambda.invocations'),
        coldStarts: local.cloud.counters.get('lambda.coldStarts'),
      },
      verifications: verified.entries,
      drill,
    });
  } finally {
    await local.close();
  }
};
