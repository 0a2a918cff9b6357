/**
 * The HTTP probe of a restore verification, the pure part: the shell script SSM Run Command
 * runs on the instance (`AWS-RunShellScript`), and how an invocation's result is judged.
 * The instance's security group admits nothing from outside, so the GET is made on the
 * instance itself, against localhost.
 *
 * Invocation statuses (SSM API Reference, GetCommandInvocation `Status`): Pending | InProgress
 * | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling; `ResponseCode` is the
 * script's exit code, -1 while it has not run.
 */

/** The probe as configured (`verify.httpProbe`). */
export interface HttpProbe {
  port: number;
  path: string;
  expectStatus: number;
}

/** What GetCommandInvocation reports of one probe run. */
export interface CommandInvocation {
  status: string;
  responseCode: number;
  stdout: string;
  stderr: string;
}

/** curl's own limit on the whole GET, so a hanging service cannot hold the command open. */
const HTTP_PROBE_CURL_MAX_SECONDS = 10;
/**
 * SendCommand `TimeoutSeconds` of a probe (the delivery timeout; the model's minimum is 30):
 * an agent that does not pick the command up within a minute is retried with a new command.
 */
export const HTTP_PROBE_DELIVERY_TIMEOUT_SECONDS = 60;

const STILL_RUNNING = new Set(['Pending', 'InProgress', 'Delayed']);

export const httpProbeUrl = (probe: HttpProbe): string => `http://localhost:${probe.port}${probe.path}`;

/**
 * The `commands` of the AWS-RunShellScript run: curl prints only the status code (`000`
 * when no HTTP answer came), within HTTP_PROBE_CURL_MAX_SECONDS. The config schema admits
 * no quote in the path, so the single-quoted URL is one shell word.
 *
 * @example
 * httpProbeCommands({ port: 8080, path: '/health', expectStatus: 200 });
 * // ["curl -sS -o /dev/null -w '%{http_code}' --max-time 10 'http://localhost:8080/health'"]
 */
export function httpProbeCommands(probe: HttpProbe): string[] {
  return [
    `curl -sS -o /dev/null -w '%{http_code}' --max-time ${HTTP_PROBE_CURL_MAX_SECONDS} '${httpProbeUrl(probe)}'`,
  ];
}

export type ProbeJudgement =
  | { kind: 'pending' }
  | { kind: 'passed'; httpStatus: number }
  | { kind: 'failed'; reason: string; httpStatus?: number };

/**
 * Whether one probe run passed: the command succeeded and curl printed the expected status.
 * An invocation not visible yet (the Run Command API is eventually consistent) is pending.
 *
 * @example
 * judgeHttpProbe({ status: 'Success', responseCode: 0, stdout: '500', stderr: '' }, probe);
 * // { kind: 'failed', reason: 'GET http://localhost:8080/health answered 500, expected 200', httpStatus: 500 }
 */
export function judgeHttpProbe(invocation: CommandInvocation | undefined, probe: HttpProbe): ProbeJudgement {
  if (invocation === undefined || STILL_RUNNING.has(invocation.status)) return { kind: 'pending' };
  const url = httpProbeUrl(probe);
  const printed = /^\d{3}$/.exec(invocation.stdout.trim())?.[0];
  const httpStatus = printed === undefined || printed === '000' ? undefined : Number(printed);
  if (invocation.status === 'Success' && httpStatus === probe.expectStatus)
    return { kind: 'passed', httpStatus };
  if (invocation.status === 'Success' && httpStatus !== undefined)
    return {
      kind: 'failed',
      reason: `GET ${url} answered ${httpStatus}, expected ${probe.expectStatus}`,
      httpStatus,
    };
  if (invocation.status === 'Failed') {
    const detail = invocation.stderr.trim().split('\n')[0] ?? '';
    return {
      kind: 'failed',
      reason: `GET ${url}: no HTTP answer (curl exit ${invocation.responseCode}${detail === '' ? '' : `: ${detail}`})`,
    };
  }
  return { kind: 'failed', reason: `GET ${url}: the probe command ended ${invocation.status}` };
}
