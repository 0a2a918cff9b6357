/** What the local deploy did with each resource of the template. */
export type ResourceStatus =
  /** Created or updated in place in the local cloud. */
  | 'created'
  /** Accepted, but nothing in the local cloud acts on it (IAM, logs, alarms…); `reason` says why. */
  | 'no-local-effect'
  /** The local cloud cannot create it; listed, never silently skipped. */
  | 'unsupported'
  /** Its Condition is false: CloudFormation would not create it either. */
  | 'skipped'
  /** Creating it failed (`reason` has the error). */
  | 'failed';

export interface ResourceReport {
  logicalId: string;
  type: string;
  status: ResourceStatus;
  /** The local physical id (name, ARN or URL) when there is one. */
  physicalId?: string;
  /** Why (no local effect, unsupported, skipped, failed) or what to know (a Function URL). */
  reason?: string;
}

export interface SiteReport {
  site: string;
  bucket: string;
  prefix: string;
  queueArn?: string;
  status: 'created' | 'failed';
  reason?: string;
}

export interface DeployReport {
  stage: string;
  stackName: string;
  region: string;
  endpoint: string;
  resources: ResourceReport[];
  sites: SiteReport[];
  /**
   * Unsupported or failed resources a Lambda function depends on, and failures: the
   * deployed system would not work as on AWS, so the CLI exits non-zero.
   */
  blocking: string[];
}

const pad = (text: string, width: number) => text.padEnd(width);

/** Human-readable report: one line per resource, grouped by status. */
export const formatReport = (report: DeployReport): string => {
  const lines = [
    `Deployed stack ${report.stackName} (stage ${report.stage}) to ${report.endpoint} (${report.region})`,
  ];
  const order: ResourceStatus[] = ['created', 'no-local-effect', 'skipped', 'unsupported', 'failed'];
  const width = Math.max(...report.resources.map((r) => r.logicalId.length), 10);
  for (const status of order) {
    const group = report.resources.filter((r) => r.status === status);
    if (group.length === 0) continue;
    lines.push('', `${status} (${group.length}):`);
    for (const r of group)
      lines.push(
        `  ${pad(r.logicalId, width)}  ${pad(r.type, 34)}  ${r.reason ?? r.physicalId ?? ''}`.trimEnd(),
      );
  }
  if (report.sites.length > 0) {
    lines.push('', 'site notifications:');
    for (const s of report.sites)
      lines.push(
        `  ${s.site}: s3://${s.bucket}/${s.prefix} -> ${s.queueArn ?? '?'} ${s.status}${s.reason ? ` (${s.reason})` : ''}`,
      );
  }
  if (report.blocking.length > 0) lines.push('', `blocking: ${report.blocking.join(', ')}`);
  return lines.join('\n');
};
