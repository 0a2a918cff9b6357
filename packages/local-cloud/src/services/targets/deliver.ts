import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { type BusEvent, dispatchEvent } from '../eventbridge/dispatch.ts';
import { invokeAsync } from '../lambda/invoke.ts';
import { findFunction } from '../lambda/store.ts';
import { findTopic, publish } from '../sns/publish.ts';
import { sendToQueue } from '../sqs/internal.ts';
import { startExecution } from '../stepfunctions/executions.ts';
import { findStateMachine } from '../stepfunctions/store.ts';
import type { TargetOutcome } from './outcome.ts';

const service = (arn: string) => arn.split(':')[2] ?? '';
const region = (arn: string) => arn.split(':')[3] ?? 'us-east-1';

/**
 * Delivers a payload (the text the target receives) as the AWS service integrations do:
 * Lambda as an asynchronous invocation, Step Functions as StartExecution, SQS as
 * SendMessage, SNS as Publish, an event bus (of this or another region) as PutEvents of the
 * event to it (EventBridge User Guide, "Sending and receiving events between AWS Regions").
 * A forwarded event keeps its `region` [unconfirmed]. An unknown kind of target is an error, never a silent drop.
 */
export const deliverToTarget = (cloud: LocalCloud, arn: string, payload: string): TargetOutcome => {
  try {
    switch (service(arn)) {
      case 'lambda': {
        const fn = findFunction(cloud, region(arn), arn);
        return { target: arn, ok: true, started: invokeAsync(cloud, fn, JSON.parse(payload)) };
      }
      case 'states':
        return {
          target: arn,
          ok: true,
          started: startExecution(cloud, findStateMachine(cloud, arn), { input: payload }).arn,
        };
      case 'sqs':
        return {
          target: arn,
          ok: true,
          started: sendToQueue(cloud, arn, { MessageBody: payload }).MessageId,
        };
      case 'events': {
        // arn:aws:events:<region>:<account>:event-bus/<name>
        const bus = arn.split(':')[5]?.replace(/^event-bus\//, '') ?? 'default';
        const event = JSON.parse(payload) as BusEvent;
        const delivered = dispatchEvent(cloud, bus, event, region(arn));
        return { target: arn, ok: true, started: `${delivered.length} deliveries` };
      }
      case 'sns':
        return { target: arn, ok: true, started: publish(cloud, findTopic(cloud, arn), payload).messageId };
      default:
        return { target: arn, ok: false, error: `the local cloud cannot deliver to ${arn}` };
    }
  } catch (error) {
    if (error instanceof AwsError)
      return { target: arn, ok: false, error: `${error.code}: ${error.message}` };
    if (error instanceof SyntaxError)
      return { target: arn, ok: false, error: `payload is not JSON: ${error.message}` };
    throw error;
  }
};
