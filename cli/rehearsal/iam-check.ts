/**
 * Under SHIPYARD_LOCAL_IAM=enforce the rehearsal is only a pass when no call of a deployed
 * function was denied or unmapped: a function may treat a denial as a state (a launch that
 * failed, a share refused) and the run still end green, so the local cloud's own record decides.
 */
import type { ControlClient } from '@shipyard/local-cloud';

type Log = (line: string) => void;

/** Logs what IAM mode evaluated; throws naming every denied or unmapped call. Off: nothing. */
export async function checkEnforcedIam(control: ControlClient, log: Log): Promise<void> {
  const iam = await control.iam();
  if (iam.mode !== 'enforce') return;
  const { tallies } = await control.counters();
  const allowed = Object.entries(tallies)
    .filter(([name]) => name.startsWith('iam.allowed.'))
    .reduce((sum, [, n]) => sum + n, 0);
  log(
    `    IAM enforced: ${allowed} authorisation(s) allowed, ${iam.denials.length} denied, ${iam.unmapped.length} unmapped`,
  );
  const problems = new Map<string, number>();
  for (const text of [
    ...iam.denials.map((d) => `denied ${d.action} on ${d.resource} to ${d.principal}`),
    ...iam.unmapped.map((u) => `unmapped ${u.service}:${u.operation} called by ${u.principal}`),
  ])
    problems.set(text, (problems.get(text) ?? 0) + 1);
  if (problems.size > 0)
    throw new Error(`IAM mode: ${[...problems].map(([text, n]) => `${text} (${n}×)`).join('; ')}`);
}
