import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { decodePageToken, invalidTokenError, pageOf } from '../../protocol/page-token.ts';
import { pageSize, parse, type StatesAction, seconds } from './action-support.ts';
import { parseDefinition } from './definition.ts';
import { invalidArn, stateMachineAlreadyExists, validationError } from './errors.ts';
import { startExecution, stopExecution } from './executions.ts';
import { renderEvent } from './history.ts';
import { findMapRun, MAP_RUN_ACTIONS } from './map-run-actions.ts';
import { validateName } from './names.ts';
import { REDRIVE_ACTIONS, redriveStatus } from './redrive.ts';
import {
  type ExecutionRecord,
  findExecution,
  findStateMachine,
  type StateMachineRecord,
  stateMachineArn,
  statesStore,
} from './store.ts';
import { TASK_TOKEN_ACTIONS } from './task-token-actions.ts';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const roleArn = (value: string) => {
  if (!ROLE_ARN.test(value)) throw invalidArn(value);
  return value;
};

const CreateInput = z.object({
  name: z.unknown(),
  definition: z.unknown(),
  roleArn: z.string(),
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
});

/** CreateStateMachine: idempotent for the same name, definition, role and type. */
const createStateMachine: StatesAction = ({ cloud, region, input }) => {
  const body = parse(CreateInput, input);
  const name = validateName(body.name);
  parseDefinition(body.definition);
  const definition = body.definition as string;
  const role = roleArn(body.roleArn);
  const type = body.type ?? 'STANDARD';
  const arn = stateMachineArn(cloud, region, name);
  const store = statesStore(cloud);
  const existing = store.machines.get(arn);
  if (existing) {
    if (existing.definition === definition && existing.roleArn === role && existing.type === type)
      return { stateMachineArn: arn, creationDate: seconds(existing.creationDate) };
    throw stateMachineAlreadyExists(arn);
  }
  const machine: StateMachineRecord = {
    arn,
    name,
    region,
    definition,
    roleArn: role,
    type,
    creationDate: cloud.now(),
    revisionId: randomUUID(),
  };
  store.machines.set(arn, machine);
  return { stateMachineArn: arn, creationDate: seconds(machine.creationDate) };
};

const UpdateInput = z.object({
  stateMachineArn: z.string(),
  definition: z.string().optional(),
  roleArn: z.string().optional(),
});

/** UpdateStateMachine: running executions keep the definition they started with. */
const updateStateMachine: StatesAction = ({ cloud, input }) => {
  const body = parse(UpdateInput, input);
  const machine = findStateMachine(cloud, body.stateMachineArn);
  if (body.definition === undefined && body.roleArn === undefined)
    throw validationError('Either the definition or the roleArn must be specified');
  if (body.definition !== undefined) {
    parseDefinition(body.definition);
    machine.definition = body.definition;
  }
  if (body.roleArn !== undefined) machine.roleArn = roleArn(body.roleArn);
  machine.updateDate = cloud.now();
  machine.revisionId = randomUUID();
  return { updateDate: seconds(machine.updateDate), revisionId: machine.revisionId };
};

const describeStateMachine: StatesAction = ({ cloud, input }) => {
  const machine = findStateMachine(
    cloud,
    parse(z.object({ stateMachineArn: z.string() }), input).stateMachineArn,
  );
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: seconds(machine.creationDate),
    revisionId: machine.revisionId,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
};

const ListInput = z.object({ maxResults: z.number().optional(), nextToken: z.string().optional() });

const listStateMachines: StatesAction = ({ cloud, region, input }) => {
  const body = parse(ListInput, input);
  const machines = [...statesStore(cloud).machines.values()]
    .filter((m) => m.region === region)
    .sort((a, b) => a.name.localeCompare(b.name));
  const scope = `machines:${region}`;
  const offset = decodePageToken(scope, body.nextToken, () => invalidTokenError());
  const { page, nextToken } = pageOf(machines, scope, offset, pageSize(body.maxResults));
  return {
    stateMachines: page.map((m) => ({
      stateMachineArn: m.arn,
      name: m.name,
      type: m.type,
      creationDate: seconds(m.creationDate),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
};

/** DeleteStateMachine: running executions are stopped, the machine and its executions forgotten. */
const deleteStateMachine: StatesAction = ({ cloud, input }) => {
  const machine = findStateMachine(
    cloud,
    parse(z.object({ stateMachineArn: z.string() }), input).stateMachineArn,
  );
  const store = statesStore(cloud);
  for (const execution of store.executions.values())
    if (execution.stateMachineArn === machine.arn)
      stopExecution(cloud, execution, { cause: 'The state machine was deleted' });
  store.machines.delete(machine.arn);
  return {};
};

const StartInput = z.object({
  stateMachineArn: z.string(),
  name: z.unknown().optional(),
  input: z.unknown().optional(),
});

const startExecutionAction: StatesAction = ({ cloud, input }) => {
  const body = parse(StartInput, input);
  const machine = findStateMachine(cloud, body.stateMachineArn);
  const execution = startExecution(cloud, machine, { name: body.name, input: body.input });
  return { executionArn: execution.arn, startDate: seconds(execution.startDate) };
};

const executionView = (execution: ExecutionRecord) => ({
  executionArn: execution.arn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  startDate: seconds(execution.startDate),
  ...(execution.stopDate !== undefined ? { stopDate: seconds(execution.stopDate) } : {}),
});

const describeExecution: StatesAction = ({ cloud, input }) => {
  const execution = findExecution(cloud, parse(z.object({ executionArn: z.string() }), input).executionArn);
  return {
    ...executionView(execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined
      ? { output: execution.output, outputDetails: { included: true } }
      : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    ...(execution.mapRunArn !== undefined ? { mapRunArn: execution.mapRunArn } : {}),
    redriveCount: execution.redriveCount,
    ...(execution.redriveDate !== undefined ? { redriveDate: seconds(execution.redriveDate) } : {}),
    redriveStatus: redriveStatus(execution),
  };
};

const HistoryInput = z.object({
  executionArn: z.string(),
  maxResults: z.number().optional(),
  reverseOrder: z.boolean().optional(),
  nextToken: z.string().optional(),
  includeExecutionData: z.boolean().optional(),
});

const getExecutionHistory: StatesAction = ({ cloud, input }) => {
  const body = parse(HistoryInput, input);
  const execution = findExecution(cloud, body.executionArn);
  const events = body.reverseOrder ? [...execution.history].reverse() : execution.history;
  const scope = `history:${execution.arn}:${body.reverseOrder ? 'r' : 'f'}`;
  const offset = decodePageToken(scope, body.nextToken, () => invalidTokenError());
  const { page, nextToken } = pageOf(events, scope, offset, pageSize(body.maxResults));
  return {
    events: page.map((e) => renderEvent(e, body.includeExecutionData ?? true)),
    ...(nextToken ? { nextToken } : {}),
  };
};

const ListExecutionsInput = z.object({
  stateMachineArn: z.string().optional(),
  mapRunArn: z.string().optional(),
  statusFilter: z
    .enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'])
    .optional(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
});

/**
 * ListExecutions: most recent first, as AWS lists them; by state machine, or by Map Run
 * for a Distributed Map's child executions (then each item has `mapRunArn` and
 * `itemCount`). "You can specify either a mapRunArn or a stateMachineArn, but not both."
 */
const listExecutions: StatesAction = ({ cloud, input }) => {
  const body = parse(ListExecutionsInput, input);
  if ((body.stateMachineArn === undefined) === (body.mapRunArn === undefined))
    throw validationError('Exactly one of stateMachineArn or mapRunArn must be specified');
  const owner =
    body.mapRunArn !== undefined
      ? findMapRun(cloud, body.mapRunArn).arn
      : findStateMachine(cloud, body.stateMachineArn).arn;
  const byMapRun = body.mapRunArn !== undefined;
  const executions = [...statesStore(cloud).executions.values()]
    .filter(
      (e) =>
        (byMapRun ? e.mapRunArn === owner : e.stateMachineArn === owner) &&
        (!body.statusFilter || e.status === body.statusFilter),
    )
    .reverse()
    .sort((a, b) => b.startDate - a.startDate);
  const scope = `executions:${owner}:${body.statusFilter ?? ''}`;
  const offset = decodePageToken(scope, body.nextToken, () => invalidTokenError());
  const { page, nextToken } = pageOf(executions, scope, offset, pageSize(body.maxResults));
  return {
    executions: page.map((e) =>
      byMapRun
        ? { ...executionView(e), mapRunArn: e.mapRunArn, itemCount: e.itemCount ?? 1 }
        : executionView(e),
    ),
    ...(nextToken ? { nextToken } : {}),
  };
};

const StopInput = z.object({
  executionArn: z.string(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

const stopExecutionAction: StatesAction = ({ cloud, input }) => {
  const body = parse(StopInput, input);
  const execution = findExecution(cloud, body.executionArn);
  stopExecution(cloud, execution, {
    ...(body.error !== undefined ? { error: body.error } : {}),
    ...(body.cause !== undefined ? { cause: body.cause } : {}),
  });
  return { stopDate: seconds(execution.stopDate ?? cloud.now()) };
};

export const ACTIONS: Record<string, StatesAction> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DescribeStateMachine: describeStateMachine,
  ListStateMachines: listStateMachines,
  DeleteStateMachine: deleteStateMachine,
  StartExecution: startExecutionAction,
  DescribeExecution: describeExecution,
  GetExecutionHistory: getExecutionHistory,
  ListExecutions: listExecutions,
  StopExecution: stopExecutionAction,
  ...MAP_RUN_ACTIONS,
  ...TASK_TOKEN_ACTIONS,
  ...REDRIVE_ACTIONS,
};
