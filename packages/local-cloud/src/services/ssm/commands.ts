import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { jsonAction } from '../../protocol/aws-json.ts';
import type { GuestService } from '../ec2/guest.ts';
import { instanceStateAt } from '../ec2/instance-lifecycle.ts';
import type { InstanceRecord } from '../ec2/records.ts';
import { ec2Store } from '../ec2/store.ts';
import { managedNode } from './instance-information.ts';

/**
 * SSM Run Command: SendCommand and GetCommandInvocation for the `AWS-RunShellScript` document
 * (API reference; shapes and limits from the botocore model ssm/2014-11-06: InstanceIds at most
 * 50, TimeoutSeconds 30–2592000, CommandId 36 characters; CommandInvocationStatus Pending |
 * InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling; ResponseCode -1
 * "the command hasn't started running on the managed node"). On the simulated clock an
 * invocation is Pending until its instance is an Online managed node, then ssmCommandDeliveryMs
 * later InProgress, then ssmCommandRunMs later Success or Failed by the script's exit code; one
 * not delivered within TimeoutSeconds is TimedOut ("Delivery Timed Out").
 *
 * The local guest runs one kind of script: curl against `http://localhost:<port>/…` (or
 * 127.0.0.1), answered by the image's guest `service` (ec2/guest.ts) the way curl reports it
 * with `-w '%{http_code}'`: `200` or `500` on stdout and exit 0, or `000` and exit 7 (curl's
 * "Failed to connect") when nothing listens. Any other script fails with exit 127.
 */

const RUN_SHELL_SCRIPT = 'AWS-RunShellScript';
const PLUGIN_NAME = 'aws:runShellScript';
/** TimeoutSeconds when the request has none [unconfirmed: the console's default delivery timeout]. */
const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 3_600;
/** curl's exit codes: 7 "Failed to connect to host" (curl man page, EXIT CODES). */
const CURL_COULD_NOT_CONNECT = 7;
const COMMAND_NOT_FOUND = 127;

const SendCommandInput = z.object({
  DocumentName: z.string({ message: 'Member must not be null' }).regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/),
  InstanceIds: z.array(z.string()).max(50).optional(),
  Targets: z.array(z.unknown()).optional(),
  Parameters: z.record(z.string(), z.array(z.string())).optional(),
  TimeoutSeconds: z.number().int().min(30).max(2_592_000).optional(),
  Comment: z.string().max(100).optional(),
});

const GetCommandInvocationInput = z.object({
  CommandId: z.string({ message: 'Member must not be null' }).length(36),
  InstanceId: z.string({ message: 'Member must not be null' }),
  PluginName: z.string().optional(),
});

interface Invocation {
  instanceId: string;
  /** The guest's answer, decided when the instance receives the command. */
  service: GuestService | undefined;
}

interface CommandRecord {
  commandId: string;
  region: string;
  sentAt: number;
  timeoutSeconds: number;
  comment: string;
  parameters: Record<string, string[]>;
  invocations: Invocation[];
}

const commandStore = (cloud: LocalCloud): { commands: Map<string, CommandRecord>; sent: number } =>
  cloud.store('ssm-commands', () => ({ commands: new Map<string, CommandRecord>(), sent: 0 }));

/** Deterministic UUID-shaped ids (8-4-4-4-12), so a reset scenario yields the same ids. */
const commandIdOf = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const iso = (ms: number): string => new Date(ms).toISOString();

interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What the guest's shell prints for the probe script (see the module comment). */
function runGuestScript(commands: readonly string[], service: GuestService | undefined): ScriptResult {
  const script = commands.join('\n');
  const url = /\bcurl\b[^\n]*?(https?:\/\/(?:localhost|127\.0\.0\.1):(\d{1,5})[^\s'"]*)/.exec(script);
  if (url === null)
    return {
      exitCode: COMMAND_NOT_FOUND,
      stdout: '',
      stderr: 'local cloud guest: only curl probes of localhost run here',
    };
  if (service === 'not-listening')
    return {
      exitCode: CURL_COULD_NOT_CONNECT,
      stdout: '000',
      stderr: `curl: (7) Failed to connect to localhost port ${url[2]}: Connection refused`,
    };
  return { exitCode: 0, stdout: service === 'error' ? '500' : '200', stderr: '' };
}

interface InvocationView {
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut';
  statusDetails: string;
  startedAt?: number;
  endedAt?: number;
  result?: ScriptResult;
}

const onlineSince = (cloud: LocalCloud, i: InstanceRecord, now: number): number | undefined => {
  const node = managedNode(cloud, i, now);
  return node?.pingStatus === 'Online' ? node.registeredAt : undefined;
};

function viewOf(
  cloud: LocalCloud,
  command: CommandRecord,
  invocation: Invocation,
  now: number,
): InvocationView {
  const instance = ec2Store(cloud).region(command.region).instances.get(invocation.instanceId);
  const expiresAt = command.sentAt + command.timeoutSeconds * 1000;
  const online = instance === undefined ? undefined : onlineSince(cloud, instance, now);
  const deliveredAt =
    online === undefined
      ? undefined
      : Math.max(command.sentAt, online) + cloud.durations.ssmCommandDeliveryMs;
  if (deliveredAt === undefined || deliveredAt > now || deliveredAt > expiresAt) {
    if (now >= expiresAt)
      return { status: 'TimedOut', statusDetails: 'DeliveryTimedOut', endedAt: expiresAt };
    return { status: 'Pending', statusDetails: 'Pending' };
  }
  const endedAt = deliveredAt + cloud.durations.ssmCommandRunMs;
  if (now < endedAt) return { status: 'InProgress', statusDetails: 'InProgress', startedAt: deliveredAt };
  const result = runGuestScript(command.parameters.commands ?? [], invocation.service);
  return {
    status: result.exitCode === 0 ? 'Success' : 'Failed',
    statusDetails: result.exitCode === 0 ? 'Success' : 'Failed',
    startedAt: deliveredAt,
    endedAt,
    result,
  };
}

export const sendCommand = jsonAction({
  input: SendCommandInput,
  run: ({ cloud, region, input }) => {
    if (input.DocumentName !== RUN_SHELL_SCRIPT)
      // The local cloud holds only this document [unconfirmed for other AWS-owned documents].
      throw new AwsError('InvalidDocument', `Document with name ${input.DocumentName} does not exist.`);
    const ids = input.InstanceIds ?? [];
    if (ids.length === 0)
      throw new AwsError('ValidationException', 'Either InstanceIds or Targets must be specified.');
    if (new Set(ids).size !== ids.length)
      throw new AwsError(
        'DuplicateInstanceId',
        "You can't specify a managed node ID in more than one request.",
      );
    const commands = input.Parameters?.commands;
    if (commands === undefined || commands.length === 0)
      throw new AwsError(
        'InvalidParameters',
        'Parameter "commands" is required by the document AWS-RunShellScript.',
      );
    const now = cloud.now();
    const instances = ec2Store(cloud).region(region).instances;
    for (const id of ids) {
      const instance = instances.get(id);
      // Only registered managed nodes take commands: an unknown id, a stopped/terminated
      // instance or one without an agent is InvalidInstanceId (SendCommand API reference).
      if (instance === undefined || managedNode(cloud, instance, now) === undefined)
        throw new AwsError(
          'InvalidInstanceId',
          `Instances [[${id}]] not in a valid state for account ${cloud.accountId}`,
        );
    }
    const store = commandStore(cloud);
    store.sent += 1;
    const record: CommandRecord = {
      commandId: commandIdOf(store.sent),
      region,
      sentAt: now,
      timeoutSeconds: input.TimeoutSeconds ?? DEFAULT_DELIVERY_TIMEOUT_SECONDS,
      comment: input.Comment ?? '',
      parameters: input.Parameters ?? {},
      invocations: ids.map((id) => ({ instanceId: id, service: instances.get(id)?.launch?.service })),
    };
    store.commands.set(record.commandId, record);
    return {
      Command: {
        CommandId: record.commandId,
        DocumentName: RUN_SHELL_SCRIPT,
        DocumentVersion: '$DEFAULT',
        Comment: record.comment,
        ExpiresAfter: (now + record.timeoutSeconds * 1000) / 1000,
        Parameters: record.parameters,
        InstanceIds: ids,
        Targets: [],
        RequestedDateTime: now / 1000,
        Status: 'Pending',
        StatusDetails: 'Pending',
        MaxConcurrency: '50',
        MaxErrors: '0',
        TargetCount: ids.length,
        CompletedCount: 0,
        ErrorCount: 0,
        DeliveryTimedOutCount: 0,
        TimeoutSeconds: record.timeoutSeconds,
      },
    };
  },
});

export const getCommandInvocation = jsonAction({
  input: GetCommandInvocationInput,
  run: ({ cloud, region, input }) => {
    const command = commandStore(cloud).commands.get(input.CommandId);
    if (command === undefined || command.region !== region)
      throw new AwsError('InvalidCommandId', `Command ${input.CommandId} was not found.`);
    const invocation = command.invocations.find((i) => i.instanceId === input.InstanceId);
    if (invocation === undefined)
      throw new AwsError(
        'InvocationDoesNotExist',
        `An invocation of ${input.CommandId} on ${input.InstanceId} does not exist.`,
      );
    if (input.PluginName !== undefined && input.PluginName !== PLUGIN_NAME)
      throw new AwsError('InvalidPluginName', `The plugin name ${input.PluginName} is not valid.`);
    const now = cloud.now();
    const view = viewOf(cloud, command, invocation, now);
    const instance = ec2Store(cloud).region(region).instances.get(invocation.instanceId);
    // An instance that shut down mid-run never reports back [unconfirmed: the wording AWS uses].
    const lost =
      view.status === 'InProgress' && instance !== undefined && instanceStateAt(instance, now) !== 'running';
    const status = lost ? 'Failed' : view.status;
    return {
      CommandId: command.commandId,
      InstanceId: invocation.instanceId,
      Comment: command.comment,
      DocumentName: RUN_SHELL_SCRIPT,
      DocumentVersion: '$DEFAULT',
      PluginName: PLUGIN_NAME,
      ResponseCode: view.result?.exitCode ?? -1,
      ExecutionStartDateTime: view.startedAt === undefined ? '' : iso(view.startedAt),
      ExecutionElapsedTime:
        view.startedAt === undefined
          ? ''
          : `PT${((Math.min(now, view.endedAt ?? now) - view.startedAt) / 1000).toFixed(3)}S`,
      ExecutionEndDateTime: view.endedAt === undefined ? '' : iso(view.endedAt),
      Status: status,
      StatusDetails: lost ? 'Undeliverable' : view.statusDetails,
      StandardOutputContent: view.result?.stdout ?? '',
      StandardOutputUrl: '',
      StandardErrorContent: view.result?.stderr ?? '',
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  },
});
