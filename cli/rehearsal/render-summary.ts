import type { RehearsalSummary } from './report.ts';

/** The rehearsal summary as `npm start` prints it. */
export const renderSummary = (s: RehearsalSummary): string => {
  const lines = ['', '=== Shipyard rehearsal summary ===', '', 'Releases and invalidations'];
  for (const r of s.releases)
    lines.push(`  ${r.site}: ${r.uploaded} files uploaded, ${r.removed} removed (${r.trigger})`);
  for (const i of s.invalidations)
    lines.push(`  ${i.distribution} ${i.id} ${i.status}: ${i.paths} path(s) e.g. ${i.sample.join(' ')}`);
  lines.push(`  paths billed: ${s.pathsBilled}`);
  const known = (n: number | null) => (n === null ? 'unknown' : String(n));
  for (const b of s.budgets)
    lines.push(
      `  ${b.site} ${b.deployId.slice(0, 12)} (${b.month}): this deploy bills ${b.pathsThisDeploy} path(s); month to date ${known(b.monthToDatePaths)}; free tier left ${known(b.freeTierLeft)}; cost at list price $${b.dollars === null ? '?' : b.dollars.toFixed(3)}`,
    );
  for (const f of s.fresh)
    lines.push(`  ${f.distributionId} fresh ${f.secondsToFresh} s after the submission`);
  lines.push('', 'Nightly backups');
  for (const n of s.nights)
    lines.push(
      `  night ${String(n.night).padStart(2)} ${n.execution}: ${n.status}, ${n.images} AMI(s) made, ${n.deleted} old resource(s) rotated${n.failures.length ? `; ${n.failures.join('; ')}` : ''}`,
    );
  lines.push('', 'AMIs per region now');
  for (const [region, a] of Object.entries(s.amisPerRegion))
    lines.push(`  ${region}: ${a.available} available`);
  lines.push('', 'Rotation over the rehearsal');
  for (const r of s.rotation)
    lines.push(
      `  ${r.region}: deleted ${r.deleted} resource(s) (AMIs and snapshots); ${r.keptBackups} backup(s) kept`,
    );
  lines.push('', 'Restore tests (newest backup of each target)');
  for (const v of s.verifications)
    lines.push(
      `  ${v.region} ${v.target} ${v.imageId}: ${v.status}${v.secondsToPass === undefined ? '' : ` in ${v.secondsToPass} s`}${v.reason ? ` (${v.reason})` : ''}`,
    );
  lines.push(
    '',
    `Failover drill behind ${s.drill.accelerator}: ${s.drill.status}`,
    ...s.drill.steps.map(
      (step) => `  ${step.dial} % to ${step.region}: ${step.passed ? 'passed' : 'FAILED'}`,
    ),
    ...s.drill.errors.map((e) => `  error: ${e}`),
    `  dials restored: ${s.drill.restored ? 'yes' : 'NO'}`,
  );
  lines.push(
    '',
    `Lambda: ${s.lambda.invocations} invocations, ${s.lambda.coldStarts} cold starts`,
    '',
    `Untouched: unmanaged snapshot ${s.untouched.unmanagedSnapshotPresent ? 'still there' : 'MISSING'}, unselected instance snapshots: ${s.untouched.unselectedInstanceSnapshots}`,
    '',
    s.ok ? 'Rehearsal OK' : 'Rehearsal FAILED',
  );
  return lines.join('\n');
};
