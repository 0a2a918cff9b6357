/**
 * The HTTP probe step of a verification: once the instance passed its status checks and is
 * an `Online` managed node, run the probe on it through SSM Run Command, and judge each run.
 * A run that does not pass is sent again at the next poll (a service may still be starting),
 * until the verification's deadline; the last answer is what the result reports.
 */
import {
  HTTP_PROBE_DELIVERY_TIMEOUT_SECONDS,
  type HttpProbe,
  httpProbeCommands,
  httpProbeUrl,
  judgeHttpProbe,
} from '../backup/http-probe.ts';
import type { VerificationRecord } from '../backup/verification-record.ts';
import type { ProbeCommands } from './ports/verification.ts';

/** What one verification remembers of its probe between polls. */
export interface ProbeProgress {
  commandId?: string;
  attempts: number;
  httpStatus?: number;
  detail?: string;
}

export type ProbeRecord = NonNullable<VerificationRecord['httpProbe']>;

export const probeRecord = (
  probe: HttpProbe,
  progress: ProbeProgress | undefined,
  status: ProbeRecord['status'],
): ProbeRecord => ({
  url: httpProbeUrl(probe),
  expectStatus: probe.expectStatus,
  status,
  ...(progress?.httpStatus === undefined ? {} : { httpStatus: progress.httpStatus }),
  ...(progress?.detail === undefined ? {} : { detail: progress.detail }),
  attempts: progress?.attempts ?? 0,
});

/**
 * Advances the probe of one instance by one poll: sends a command when none is in flight,
 * else reads its invocation. Returns true once a run passed.
 */
export async function advanceHttpProbe(
  commands: ProbeCommands,
  at: { region: string; instanceId: string; verificationId: string },
  probe: HttpProbe,
  progress: ProbeProgress,
): Promise<boolean> {
  if (progress.commandId === undefined) {
    const commandId = await commands.send(at.region, at.instanceId, {
      commands: httpProbeCommands(probe),
      timeoutSeconds: HTTP_PROBE_DELIVERY_TIMEOUT_SECONDS,
      comment: `shipyard ${at.verificationId}`.slice(0, 100),
    });
    if (commandId === undefined) {
      progress.detail = 'SSM does not take commands for the instance yet';
      return false;
    }
    progress.commandId = commandId;
    progress.attempts += 1;
    return false;
  }
  const invocation = await commands.invocation(at.region, progress.commandId, at.instanceId);
  const judgement = judgeHttpProbe(invocation, probe);
  if (judgement.kind === 'pending') return false;
  if (judgement.kind === 'passed') {
    progress.httpStatus = judgement.httpStatus;
    delete progress.detail;
    return true;
  }
  if (judgement.httpStatus === undefined) delete progress.httpStatus;
  else progress.httpStatus = judgement.httpStatus;
  progress.detail = judgement.reason;
  delete progress.commandId;
  return false;
}
