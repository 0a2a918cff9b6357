/**
 * The HTTP probe's script and judgement. Sources: SSM API Reference, GetCommandInvocation
 * (Status values; "If the response code is -1, then the command hasn't started running"), the
 * botocore model ssm/2014-11-06 (the CommandExecuted waiter: Pending/InProgress/Delayed retry,
 * Success succeeds, Cancelled/TimedOut/Failed/Cancelling fail), and curl's manual (`-w
 * '%{http_code}'` prints 000 when no response came; exit 7 "Failed to connect to host").
 */
import { describe, expect, it } from 'vitest';
import { httpProbeCommands, judgeHttpProbe } from '../../../shared/backup/http-probe.ts';

const probe = { port: 8080, path: '/health?deep=1', expectStatus: 200 };
const run = (status: string, stdout = '', responseCode = status === 'Success' ? 0 : -1, stderr = '') => ({
  status,
  stdout,
  responseCode,
  stderr,
});

describe('httpProbeCommands', () => {
  it('curls localhost with a bounded time and prints only the status code', () => {
    expect(httpProbeCommands(probe)).toEqual([
      "curl -sS -o /dev/null -w '%{http_code}' --max-time 10 'http://localhost:8080/health?deep=1'",
    ]);
  });
});

describe('judgeHttpProbe', () => {
  it.each([
    ['not visible yet', undefined, { kind: 'pending' }],
    ['Pending', run('Pending'), { kind: 'pending' }],
    ['InProgress', run('InProgress'), { kind: 'pending' }],
    ['Delayed', run('Delayed'), { kind: 'pending' }],
    ['the expected status', run('Success', '200\n'), { kind: 'passed', httpStatus: 200 }],
    [
      'another status',
      run('Success', '500'),
      {
        kind: 'failed',
        httpStatus: 500,
        reason: 'GET http://localhost:8080/health?deep=1 answered 500, expected 200',
      },
    ],
    [
      'no listener (curl exit 7)',
      run('Failed', '000', 7, 'curl: (7) Failed to connect to localhost port 8080: Connection refused\n'),
      {
        kind: 'failed',
        reason:
          'GET http://localhost:8080/health?deep=1: no HTTP answer (curl exit 7: curl: (7) Failed to connect to localhost port 8080: Connection refused)',
      },
    ],
    [
      'a delivery timeout',
      run('TimedOut'),
      { kind: 'failed', reason: 'GET http://localhost:8080/health?deep=1: the probe command ended TimedOut' },
    ],
    [
      'a cancelled command',
      run('Cancelled'),
      {
        kind: 'failed',
        reason: 'GET http://localhost:8080/health?deep=1: the probe command ended Cancelled',
      },
    ],
  ])('%s', (_name, invocation, expected) => {
    expect(judgeHttpProbe(invocation, probe)).toEqual(expected);
  });

  it('passes on a non-200 status when that is what is expected', () => {
    expect(judgeHttpProbe(run('Success', '204'), { ...probe, expectStatus: 204 })).toEqual({
      kind: 'passed',
      httpStatus: 204,
    });
  });
});
