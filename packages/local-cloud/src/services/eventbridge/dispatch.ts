import type { LocalCloud } from '../../cloud.ts';
import type { TargetOutcome } from '../targets/outcome.ts';
import { targetPayload } from './input.ts';
import { matchesPattern } from './pattern.ts';
import { type RuleDelivery, ruleStore } from './rules.ts';

/** An event as rules see it and targets receive it. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** Delivers one payload to a target ARN (an SQS queue, a Lambda function, an SNS topic, a state machine). */
export type TargetDelivery = (cloud: LocalCloud, arn: string, payload: string) => TargetOutcome;

let deliverToTarget: TargetDelivery = (_cloud, arn) => ({
  target: arn,
  ok: false,
  error: 'no target delivery is connected to the event bus',
});

/**
 * The targets are other services, and some of them (Step Functions) publish events on the
 * bus themselves: the composition root (services/index.ts) connects them here, so no import
 * runs from the bus to its targets and back.
 */
export const connectTargetDelivery = (delivery: TargetDelivery): void => {
  deliverToTarget = delivery;
};

/**
 * Matches an accepted event against the enabled rules of its bus and region and delivers
 * it to each of their targets (asynchronously for the callers of the targets, as on AWS).
 * Every delivery, failed or not, is recorded. `busRegion`: where the bus is, when the event
 * was forwarded there from another region (it keeps its own `region`).
 */
export const dispatchEvent = (
  cloud: LocalCloud,
  bus: string,
  event: BusEvent,
  busRegion: string = event.region,
): RuleDelivery[] => {
  const store = ruleStore(cloud);
  const deliveries: RuleDelivery[] = [];
  for (const rule of store.rules.values()) {
    if (rule.region !== busRegion || rule.eventBusName !== bus || rule.state !== 'ENABLED') continue;
    if (rule.eventPattern === undefined) continue;
    if (!matchesPattern(JSON.parse(rule.eventPattern), event as unknown as Record<string, unknown>)) continue;
    for (const target of rule.targets.values()) {
      let outcome: TargetOutcome;
      try {
        outcome = deliverToTarget(cloud, target.Arn, targetPayload(event, target));
      } catch (error) {
        outcome = {
          target: target.Arn,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      const delivery = { ...outcome, eventId: event.id, rule: rule.arn, targetId: target.Id };
      store.deliveries.push(delivery);
      deliveries.push(delivery);
      cloud.counters.add(outcome.ok ? 'events.deliveries' : 'events.failedDeliveries');
    }
  }
  return deliveries;
};
