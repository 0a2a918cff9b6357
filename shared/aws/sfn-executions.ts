/**
 * The operator's view of backup executions (Step Functions adapter for the CLI): find the
 * state machine, start, describe, list and read the history of executions. Every listing
 * is paged to the end (or to the caller's cap); SDK errors become AwsCallError with the SDK
 * error kept as `cause` (the CLI walks it to tell an unreachable endpoint apart).
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  SFNClient,
  type SFNClientConfig,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionListItem {
  executionArn: string;
  name: string;
  status: string;
  /** ISO instants. */
  startDate?: string;
  stopDate?: string;
}

export interface ExecutionDetails extends ExecutionListItem {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A history event as plain data: the one details object the event type carries. */
export interface ExecutionEvent {
  id: number;
  type: string;
  timestamp?: string;
  details: Record<string, unknown>;
}

type StartOutcome =
  | { kind: 'started'; executionArn: string; startDate?: string }
  | { kind: 'already-exists' };

export interface BackupExecutionsPort {
  listStateMachines(): Promise<{ name: string; stateMachineArn: string }[]>;
  start(input: { stateMachineArn: string; name: string; input: unknown }): Promise<StartOutcome>;
  /** `undefined` when the execution does not exist. */
  describe(executionArn: string): Promise<ExecutionDetails | undefined>;
  /** Most recent first, at most `max`. */
  list(input: {
    stateMachineArn: string;
    status?: ExecutionStatus;
    max: number;
  }): Promise<ExecutionListItem[]>;
  /** Events after `afterId` (all pages), oldest first. */
  history(executionArn: string, afterId?: number): Promise<ExecutionEvent[]>;
  /** The execution's Distributed Map runs with their child execution counts (ListMapRuns + DescribeMapRun). */
  mapRuns(executionArn: string): Promise<MapRunProgress[]>;
  /** The child executions a Map Run started (ListExecutions with mapRunArn), at most `max`. */
  mapRunExecutions(mapRunArn: string, max: number): Promise<string[]>;
}

/** A Map Run's item counts (DescribeMapRun `itemCounts`): one item is one target. */
export interface MapRunProgress {
  mapRunArn: string;
  status: string;
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  /** Failed, timed out or aborted children. */
  failed: number;
}

const iso = (value: Date | undefined): string | undefined => (value ? value.toISOString() : undefined);

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The single `…EventDetails` member of an SDK history event. */
function eventDetails(event: HistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null)
      return value as Record<string, unknown>;
  }
  return {};
}

const PAGE = 100;

/** Reads pages until there is no next token, or until `more` says the caller has enough. */
async function eachPage<P extends { nextToken?: string | undefined }>(
  fetch: (nextToken: string | undefined) => Promise<P>,
  take: (page: P) => void,
  more: () => boolean = () => true,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await fetch(nextToken);
    take(page);
    nextToken = page.nextToken;
  } while (nextToken && more());
}

async function listStateMachines(client: SFNClient): Promise<{ name: string; stateMachineArn: string }[]> {
  const out: { name: string; stateMachineArn: string }[] = [];
  await eachPage(
    (nextToken) => client.send(new ListStateMachinesCommand({ maxResults: PAGE, nextToken })),
    (page) => {
      for (const m of page.stateMachines ?? [])
        if (m.name && m.stateMachineArn) out.push({ name: m.name, stateMachineArn: m.stateMachineArn });
    },
  );
  return out;
}

async function start(
  client: SFNClient,
  { stateMachineArn, name, input }: Parameters<BackupExecutionsPort['start']>[0],
): Promise<StartOutcome> {
  try {
    const out = await client.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return defined({
      kind: 'started' as const,
      executionArn: out.executionArn ?? '',
      startDate: iso(out.startDate),
    });
  } catch (error) {
    if (sdkErrorCode(error) === 'ExecutionAlreadyExists') return { kind: 'already-exists' };
    throw toAwsCallError('Step Functions', 'StartExecution', error);
  }
}

async function describe(client: SFNClient, executionArn: string): Promise<ExecutionDetails | undefined> {
  try {
    const out = await client.send(new DescribeExecutionCommand({ executionArn }));
    return defined({
      executionArn: out.executionArn ?? executionArn,
      name: out.name ?? '',
      status: out.status ?? 'UNKNOWN',
      startDate: iso(out.startDate),
      stopDate: iso(out.stopDate),
      input: out.input,
      output: out.output,
      error: out.error,
      cause: out.cause,
    });
  } catch (error) {
    if (sdkErrorCode(error) === 'ExecutionDoesNotExist') return undefined;
    throw toAwsCallError('Step Functions', 'DescribeExecution', error);
  }
}

async function listExecutions(
  client: SFNClient,
  { stateMachineArn, status, max }: Parameters<BackupExecutionsPort['list']>[0],
): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  const fetch = (nextToken: string | undefined) =>
    client.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: status,
        maxResults: Math.min(PAGE, Math.max(1, max - out.length)),
        nextToken,
      }),
    );
  const take = (page: Awaited<ReturnType<typeof fetch>>) => {
    for (const e of page.executions ?? []) {
      if (out.length >= max) break;
      out.push(
        defined({
          executionArn: e.executionArn ?? '',
          name: e.name ?? '',
          status: e.status ?? 'UNKNOWN',
          startDate: iso(e.startDate),
          stopDate: iso(e.stopDate),
        }),
      );
    }
  };
  await eachPage(fetch, take, () => out.length < max);
  return out;
}

async function mapRunExecutions(client: SFNClient, mapRunArn: string, max: number): Promise<string[]> {
  const out: string[] = [];
  await eachPage(
    (nextToken) => client.send(new ListExecutionsCommand({ mapRunArn, maxResults: PAGE, nextToken })),
    (page) => {
      for (const e of page.executions ?? []) if (e.executionArn) out.push(e.executionArn);
    },
    () => out.length < max,
  );
  return out.slice(0, max);
}

async function mapRunProgress(client: SFNClient, mapRunArn: string): Promise<MapRunProgress> {
  const run = await client.send(new DescribeMapRunCommand({ mapRunArn }));
  const c = run.itemCounts;
  return {
    mapRunArn,
    status: run.status ?? 'UNKNOWN',
    total: c?.total ?? 0,
    pending: c?.pending ?? 0,
    running: c?.running ?? 0,
    succeeded: c?.succeeded ?? 0,
    failed: (c?.failed ?? 0) + (c?.timedOut ?? 0) + (c?.aborted ?? 0),
  };
}

async function mapRuns(client: SFNClient, executionArn: string): Promise<MapRunProgress[]> {
  const arns: string[] = [];
  await eachPage(
    (nextToken) => client.send(new ListMapRunsCommand({ executionArn, maxResults: PAGE, nextToken })),
    (page) => {
      for (const run of page.mapRuns ?? []) if (run.mapRunArn) arns.push(run.mapRunArn);
    },
  );
  const out: MapRunProgress[] = [];
  for (const mapRunArn of arns) out.push(await mapRunProgress(client, mapRunArn));
  return out;
}

async function history(client: SFNClient, executionArn: string, afterId: number): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  await eachPage(
    (nextToken) =>
      client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          nextToken,
          includeExecutionData: true,
        }),
      ),
    (page) => {
      for (const e of page.events ?? []) {
        const id = e.id ?? 0;
        if (id <= afterId) continue;
        out.push(
          defined({ id, type: e.type ?? 'Unknown', timestamp: iso(e.timestamp), details: eventDetails(e) }),
        );
      }
    },
  );
  return out;
}

/**
 * @example
 * const sfn = createBackupExecutionsPort({ region: 'eu-west-1' });
 * await sfn.list({ stateMachineArn, status: 'FAILED', max: 20 });
 */
export function createBackupExecutionsPort(
  config: SFNClientConfig = {},
  client: SFNClient = new SFNClient(config),
): BackupExecutionsPort {
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toAwsCallError('Step Functions', operation, error);
    }
  };
  return {
    listStateMachines: () => call('ListStateMachines', () => listStateMachines(client)),
    start: (input) => start(client, input),
    describe: (executionArn) => describe(client, executionArn),
    list: (input) => call('ListExecutions', () => listExecutions(client, input)),
    mapRunExecutions: (mapRunArn, max) =>
      call('ListExecutions', () => mapRunExecutions(client, mapRunArn, max)),
    mapRuns: (executionArn) => call('ListMapRuns', () => mapRuns(client, executionArn)),
    history: (executionArn, afterId = 0) =>
      call('GetExecutionHistory', () => history(client, executionArn, afterId)),
  };
}
