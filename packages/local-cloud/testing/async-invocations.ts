import type { ControlClient } from '../src/control-client.ts';
import { STALL_MS } from './step-functions.ts';

/**
 * Waits until every `Event` invocation of the local cloud ended (deliveries of EventBridge
 * rules, SNS, async Invoke, with their retries and destinations). Throws when `stallMs` pass
 * without one of them ending; never a timing assertion.
 */
export const waitForAsyncInvocations = async (
  control: ControlClient,
  { stallMs = STALL_MS } = {},
): Promise<void> => {
  const { pending } = await control.asyncInvocationsEnded({ stallMs });
  if (pending > 0) throw new Error(`${pending} Event invocation(s) made no progress for ${stallMs / 1000}s`);
};
