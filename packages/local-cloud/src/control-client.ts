import { request } from 'node:http';
import type { CountersSnapshot } from './counters.ts';
import type { Durations } from './durations.ts';
import type { FaultRule } from './faults.ts';
import type { dumpIam } from './iam/control.ts';
import type { PumpResult } from './pump.ts';
import type { Datapoint } from './services/cloudwatch/metrics.ts';
import type { TrafficView } from './services/globalaccelerator/traffic.ts';
import type { Firing } from './services/scheduler/store.ts';
import { MAX_PROGRESS_WAIT_MS } from './services/stepfunctions/progress-limit.ts';

export interface ClockView {
  now: number;
  iso: string;
  speed: number;
}

type IamView = ReturnType<typeof dumpIam>;
/**
 * One control request on a connection of its own, with no time limit of the client's: fetch
 * (undici) gives up connecting after 10 s and may reuse a kept-alive socket the server has just
 * closed, both of which a busy or slow machine meets; a control call must depend on neither.
 */
const send = (url: string, method: string, body: unknown): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

/** Typed client for the local cloud's control API (tests, CLI, `npm start`). */
export class ControlClient {
  constructor(readonly endpoint: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await send(`${this.endpoint}/_shipyard${path}`, method, body);
    const parsed = text ? JSON.parse(text) : undefined;
    if (status < 200 || status >= 300)
      throw new Error(`local cloud control ${method} ${path}: ${status} ${parsed?.message ?? text}`);
    return parsed as T;
  }

  health() {
    return this.call<{ ok: boolean; services: string[] }>('GET', '/health');
  }
  reset() {
    return this.call<{ ok: boolean }>('POST', '/reset');
  }
  /** Sections keyed by service name (ec2, cloudfront, s3, …); each service validates its own. */
  seed<T = Record<string, unknown>>(input: Record<string, unknown>) {
    return this.call<T>('POST', '/seed', input);
  }
  clock() {
    return this.call<ClockView>('GET', '/clock');
  }
  advance(by: { ms?: number; minutes?: number; to?: string }) {
    return this.call<ClockView>('POST', '/clock/advance', by);
  }
  setSpeed(speed: number) {
    return this.call<ClockView>('POST', '/clock/speed', { speed });
  }
  durations() {
    return this.call<Durations>('GET', '/durations');
  }
  setDurations(partial: Partial<Durations>) {
    return this.call<Durations>('POST', '/durations', partial);
  }
  addFaults(rules: FaultRule[]) {
    return this.call<{ rules: FaultRule[] }>('POST', '/faults', { rules });
  }
  clearFaults() {
    return this.call<{ rules: FaultRule[] }>('DELETE', '/faults');
  }
  counters() {
    return this.call<CountersSnapshot & { faultsInjected: number }>('GET', '/counters');
  }
  state<T = Record<string, unknown>>() {
    return this.call<T>('GET', '/state');
  }
  /** Delivers every schedule occurrence that came due on the simulated clock since the last tick. */
  tickSchedules() {
    return this.call<{ fired: Firing[] }>('POST', '/schedules/tick');
  }
  /** Delivers one schedule now, whatever its expression says. */
  fireSchedule(name: string, group?: string) {
    return this.call<{ fired: Firing[] }>('POST', '/schedules/fire', group ? { name, group } : { name });
  }
  /** Delivers every due S3 notification and SQS batch of event source mappings (see pumpEventSources). */
  pump() {
    return this.call<PumpResult>('POST', '/pump');
  }
  /**
   * Waits until the execution records an event after `afterEventId` (or, with
   * `afterActivity`, it or a child execution of its Distributed Maps records one) or ends, at
   * most `waitMs` of real time (then nothing moved in that time). `status` is absent while no
   * execution has that ARN.
   */
  executionProgress(input: {
    executionArn: string;
    afterEventId: number;
    afterActivity?: number;
    waitMs: number;
  }) {
    return this.call<{ status?: string; lastEventId: number; activity: number; requests: number }>(
      'POST',
      '/states/progress',
      input,
    );
  }
  /**
   * Follows an execution until it leaves RUNNING (its status) or makes no progress for
   * `stallMs` of real time (undefined). Progress is a new history event of it or of a child
   * execution of its Distributed Maps (a parent waiting on its map run moves while its children
   * do), or an AWS request answered (a slow machine's long step between two events is work, not
   * a stall): a bound on progress, never on duration.
   */
  async followExecution(executionArn: string, stallMs: number): Promise<string | undefined> {
    let seen = 0;
    let requestsSeen = -1;
    let silentMs = 0;
    for (;;) {
      const waitMs = Math.min(stallMs - silentMs, MAX_PROGRESS_WAIT_MS);
      const { status, activity, requests } = await this.executionProgress({
        executionArn,
        afterEventId: Number.MAX_SAFE_INTEGER,
        afterActivity: seen,
        waitMs,
      });
      if (status !== undefined && status !== 'RUNNING') return status;
      silentMs = activity === seen && requests === requestsSeen ? silentMs + waitMs : 0;
      if (silentMs >= stallMs) return undefined;
      seen = activity;
      requestsSeen = requests;
    }
  }
  /**
   * Waits until no `Event` invocation (from Invoke, EventBridge, SNS, schedules) is queued or
   * running, at most `stallMs` of real time without one of them ending; `pending` says how
   * many were still unfinished then (0: all ended).
   */
  asyncInvocationsEnded(input: { stallMs: number }) {
    return this.call<{ pending: number }>('POST', '/lambda/async-invocations/wait', input);
  }
  /** Registers a function from a bundle file on this machine (what `shipyard local deploy` uses). */
  registerFunction(input: {
    name: string;
    bundle: string;
    taskRoot?: string;
    handler?: string;
    region?: string;
    environment?: Record<string, string>;
    timeoutSeconds?: number;
    memorySize?: number;
    /** The execution role's ARN: the function's calls carry its role session's credentials. */
    role?: string;
  }) {
    return this.call<Record<string, unknown>>('POST', '/lambda/functions', input);
  }
  /** Registers an IAM role and its inline policies (what IAM mode evaluates a role session against). */
  putRole(input: {
    arn: string;
    policies?: { name: string; document: unknown }[];
    managedPolicyArns?: string[];
  }) {
    return this.call<{ arn: string }>('POST', '/iam/roles', input);
  }
  /** Registers a managed policy (by ARN) or an AWS::IAM::Policy (by id) and the role names it attaches to. */
  putPolicy(input: { kind: 'managed' | 'inline'; id: string; document: unknown; roles?: string[] }) {
    return this.call<{ id: string }>('POST', '/iam/policies', input);
  }
  /** Switches IAM mode (`enforce`: local Lambdas' calls are evaluated against their roles). */
  setIamMode(mode: 'off' | 'enforce') {
    return this.call<{ mode: string }>('POST', '/iam/mode', { mode });
  }
  /** IAM mode, the deployed roles, and every call it denied or could not map. */
  iam() {
    return this.call<IamView>('GET', '/iam');
  }
  /** Sets a Global Accelerator endpoint's HealthState from `at` (ISO, now when absent) on. */
  setEndpointHealth(input: {
    endpointId: string;
    healthState: 'INITIAL' | 'HEALTHY' | 'UNHEALTHY';
    endpointGroupArn?: string;
    at?: string;
  }) {
    return this.call<{ endpointGroupArns: string[] }>('POST', '/globalaccelerator/endpoint-health', input);
  }
  /** Sets (or registers) an ELBv2 target's health in a target group. */
  setTargetHealth(input: { targetGroupArn: string; targetId: string; state: string; reason?: string }) {
    return this.call<{ targetGroupArn: string; targetId: string; state: string }>(
      'POST',
      '/elbv2/target-health',
      input,
    );
  }
  /** Where a listener's new connections would go now (dials, weights, health, fail-open). */
  acceleratorTraffic(by: { listenerArn: string } | { acceleratorArn: string }) {
    const query = new URLSearchParams(by).toString();
    return this.call<TrafficView>('GET', `/globalaccelerator/traffic?${query}`);
  }
  /** Sets what a CloudWatch alarm's metric says (its actual state) from `at` (ISO, now when absent) on. */
  setAlarmState(input: {
    alarmName: string;
    stateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
    region?: string;
    reason?: string;
    at?: string;
  }) {
    return this.call<{ alarmName: string; stateValue: string; at: string }>(
      'POST',
      '/cloudwatch/alarm-state',
      input,
    );
  }
  /** The CloudWatch datapoints PutMetricData received in a region (us-east-1 when absent). */
  metricData(by: { region?: string; namespace?: string; metricName?: string } = {}) {
    const query = new URLSearchParams(
      Object.entries(by).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return this.call<{ datapoints: Datapoint[] }>('GET', `/cloudwatch/metric-data?${query.toString()}`);
  }
}
