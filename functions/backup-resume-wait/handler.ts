/**
 * ResumeWait: the target of the EventBridge rules for `EBS Snapshot Notification`, `EBS
 * Multi-Volume Snapshots Completion Status` and `EC2 AMI State Change` (the home region's,
 * and every copy region's forwarded to the home bus). Finds the task tokens parked under the
 * event's resources and resumes them after one check of EC2; an event nobody waits for, or a
 * duplicate, is logged and dropped (see shared/backup-service/event-waits.ts). An AMI reaching
 * a final state may free a copy slot in its region: the region's copy queue is drained
 * (shared/backup-service/copy-queue.ts).
 */
import { awaitedEvent } from '../../shared/backup/ec2-events.ts';
import { checkCopy, checkImage, checkSnapshots } from '../../shared/backup-service/checks.ts';
import { startCopy } from '../../shared/backup-service/copy-image.ts';
import { type DrainReport, drainCopyQueue } from '../../shared/backup-service/copy-queue.ts';
import type { BackupDeps } from '../../shared/backup-service/deps.ts';
import { type ResumeReport, resumeWaits } from '../../shared/backup-service/event-waits.ts';
import { backupDeps, backupResultsEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

/** The regions where an AMI reached a final state: a copy there may have freed a slot. */
const slotRegions = (resources: { region: string; id: string }[]): string[] => [
  ...new Set(resources.filter((r) => r.id.startsWith('ami-')).map((r) => r.region)),
];

export function makeHandler(deps: BackupDeps) {
  const start = startCopy(deps);
  return async (
    event: unknown,
  ): Promise<(ResumeReport & { queues: Record<string, DrainReport> }) | { ignored: true }> => {
    const awaited = awaitedEvent(event);
    if (awaited === undefined) {
      deps.logger.info('not an event a backup step waits for', {
        detailType: (event as { 'detail-type'?: unknown } | null)?.['detail-type'],
      });
      return { ignored: true };
    }
    const report = await resumeWaits(deps, awaited, {
      snapshots: (input) => checkSnapshots(deps, input),
      image: (input) => checkImage(deps, input),
      copy: (input) => checkCopy(deps, input),
    });
    deps.logger.info('resumed waits', { resources: awaited.resources, ...report });
    const queues: Record<string, DrainReport> = {};
    for (const region of slotRegions(awaited.resources)) {
      queues[region] = await drainCopyQueue(deps, region, start);
      const { started, dropped, vanished, failed, heartbeats, refusedBy } = queues[region];
      if (started + dropped + vanished + failed + heartbeats > 0 || refusedBy !== undefined)
        deps.logger.info('copy queue drained', { region, ...queues[region] });
    }
    return { ...report, queues };
  };
}

export const handler = lambdaHandler({
  name: 'backup-resume-wait',
  env: backupResultsEnv,
  deps: backupDeps,
  handler: makeHandler,
});
