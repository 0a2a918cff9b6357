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
    listStateMachines: () =>
      call('ListStateMachines', async () => {
        const out: { name: string; stateMachineArn: string }[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(new ListStateMachinesCommand({ maxResults: PAGE, nextToken }));
          for (const m of page.stateMachines ?? [])
            if (m.name && m.stateMachineArn) out.push({ name: m.name, stateMachineArn: m.stateMachineArn });
          nextToken = page.nextToken;
        } while (nextToken);
        return out;
      }),

    async start({ stateMachineArn, name, input }) {
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
    },

    async describe(executionArn) {
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
    },

    list: ({ stateMachineArn, status, max }) =>
      call('ListExecutions', async () => {
        const out: ExecutionListItem[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListExecutionsCommand({
              stateMachineArn,
              statusFilter: status,
              maxResults: Math.min(PAGE, Math.max(1, max - out.length)),
              nextToken,
            }),
          );
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
          nextToken = page.nextToken;
        } while (nextToken && out.length < max);
        return out;
      }),

    mapRunExecutions: (mapRunArn, max) =>
      call('ListExecutions', async () => {
        const out: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListExecutionsCommand({ mapRunArn, maxResults: PAGE, nextToken }),
          );
          for (const e of page.executions ?? []) if (e.executionArn) out.push(e.executionArn);
          nextToken = page.nextToken;
        } while (nextToken && out.length < max);
        return out.slice(0, max);
      }),

    mapRuns: (executionArn) =>
      call('ListMapRuns', async () => {
        const arns: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new ListMapRunsCommand({ executionArn, maxResults: PAGE, nextToken }),
          );
          for (const run of page.mapRuns ?? []) if (run.mapRunArn) arns.push(run.mapRunArn);
          nextToken = page.nextToken;
        } while (nextToken);
        const out: MapRunProgress[] = [];
        for (const mapRunArn of arns) {
          const run = await client.send(new DescribeMapRunCommand({ mapRunArn }));
          const c = run.itemCounts;
          out.push({
            mapRunArn,
            status: run.status ?? 'UNKNOWN',
            total: c?.total ?? 0,
            pending: c?.pending ?? 0,
            running: c?.running ?? 0,
            succeeded: c?.succeeded ?? 0,
            failed: (c?.failed ?? 0) + (c?.timedOut ?? 0) + (c?.aborted ?? 0),
          });
        }
        return out;
      }),

    history: (executionArn, afterId = 0) =>
      call('GetExecutionHistory', async () => {
        const out: ExecutionEvent[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new GetExecutionHistoryCommand({
              executionArn,
              maxResults: 1000,
              nextToken,
              includeExecutionData: true,
            }),
          );
          for (const e of page.events ?? []) {
            const id = e.id ?? 0;
            if (id <= afterId) continue;
            out.push(
              defined({
                id,
                type: e.type ?? 'Unknown',
                timestamp: iso(e.timestamp),
                details: eventDetails(e),
              }),
            );
          }
          nextToken = page.nextToken;
        } while (nextToken);
        return out;
      }),
  };
}
