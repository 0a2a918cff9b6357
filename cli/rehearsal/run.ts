import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { deployTemplate, functionLogs, startLocalCloud } from '@shipyard/local-cloud';
import { packageServiceCached } from '../../scripts/package-service.ts';
import { createS3ObjectsPort } from '../../shared/aws/s3-objects.ts';
import { createBackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { DEMO, seedDemoAccount } from './demo-account.ts';
import { deployBudgets, followFreshness } from './edge.ts';
import { runNights } from './nights.ts';
import { buildSummary, type CloudState, type RehearsalSummary } from './report.ts';
import { docsRelease, webRelease } from './site-content.ts';
import { releaseDocsThroughGit, releaseWebThroughS3Events } from './site-releases.ts';

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

/**
 * The main job on the embedded default: the local cloud, Shipyard packaged and deployed into
 * it from the real artifact, a realistic account, two releases through two triggers, and
 * nightly backups with rotation over simulated weeks.
 */
export const rehearse = async ({ port, nights, log }: RehearsalOptions): Promise<RehearsalSummary> => {
  const config = parseConfig(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
  const local = await startLocalCloud({ port, clock: { speed: 0 }, functionLogs: 'capture' });
  try {
    log(`1/6 Local cloud listening on ${local.url}`);

    log('2/6 Packaging Shipyard with serverless package (offline)…');
    const packaged = await packageServiceCached(STAGE);
    log(`    ${Object.keys(packaged.template.Resources).length} resources in ${packaged.templatePath}`);

    log('3/6 Seeding the account: 4 instances in ap-south-1, 3 distributions, 2 site buckets…');
    await seedDemoAccount(local.control, { web: webRelease(1), docs: docsRelease(1) });

    log('    Deploying the packaged template into the local cloud…');
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
    const stateMachineArn = report.resources.find((r) => r.logicalId === 'BackupStateMachine')?.physicalId;
    if (!stateMachineArn) throw new Error('the template has no BackupStateMachine');

    const s3 = createS3ObjectsPort({
      endpoint: local.url,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    log('4/6 Releasing web v2 with a plain bucket sync (S3 events → SQS → invalidateS3Events)…');
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
    // Deliver until every distribution has its invalidation, or until nothing is left to deliver
    // and no function is still running (bounded by progress, not by a count of real-time polls).
    for (;;) {
      const pumped = await local.control.pump();
      const state = await local.control.state<CloudState & InFlight>();
      const withInvalidations = state.cloudfront.distributions.filter(
        (d) => d.invalidations.length > 0,
      ).length;
      if (withInvalidations >= 3) break;
      const running = state.lambda.asyncInvocations.some((i) => i.status === 'QUEUED');
      if (!running && pumped.batches.length === 0 && pumped.s3Notifications.length === 0) break;
      await sleep(100);
    }

    const fresh = await followFreshness(local.control, 3);
    for (const f of fresh)
      log(
        `    ${f.distributionId} (${f.site}) fresh ${f.secondsToFresh} s after the submission (Invalidation Completed)`,
      );

    const policy = config.backupPolicies.find((p) => p.name === POLICY);
    if (!policy) throw new Error(`${CONFIG_FILE} has no backup policy ${POLICY}`);
    const [minute, hour] = policy.schedule.cron
      .replace(/^cron\(|\)$/g, '')
      .split(/\s+/)
      .map(Number);
    log(
      `5/6 ${nights} nights of the "${POLICY}" schedule (${policy.schedule.cron} ${policy.schedule.timeZone}): snapshot → AMI → copy to ${policy.copyRegions.map((c) => c.region).join(', ')} → share → rotate`,
    );
    const executions = createBackupExecutionsPort({ endpoint: local.url, region: 'us-east-1', credentials });
    const results = await runNights({
      control: local.control,
      executions,
      stateMachineArn,
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

    log('6/6 Reading the account back…');
    await local.control.pump();
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
    const state = await local.control.state<CloudState>();
    return buildSummary({
      endpoint: local.url,
      releases: [
        { site: 'web', trigger: 'S3 events through SQS', uploaded: web.uploaded, removed: web.removed },
        {
          site: 'docs',
          trigger: 'notify-deploy → EventBridge',
          uploaded: docs.uploaded,
          removed: docs.removed,
        },
      ],
      nights: results,
      state,
      fresh,
      budgets: deployBudgets(logs),
      policy: POLICY,
      unmanagedSnapshotName: DEMO.unmanagedSnapshotTag.Name,
      unselectedInstanceName: 'build-agent',
      lambda: {
        invocations: local.cloud.counters.get('lambda.invocations'),
        coldStarts: local.cloud.counters.get('lambda.coldStarts'),
      },
    });
  } finally {
    await local.close();
  }
};
