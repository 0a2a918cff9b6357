import type { LocalCloud } from '../../cloud.ts';

/**
 * How many `Event` invocations of one function run at once; the rest wait in its queue.
 * Lambda puts an `Event` invocation in a queue that "a separate process reads"
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html) and promises no rate
 * for it, so a bound here changes no outcome, only how long an event waits. It
 * keeps a jump of the simulated clock from running every occurrence a schedule missed
 * (a `rate(1 hour)` target over a simulated night: 24) at once, each in its own warm
 * environment that then stays resident for the rest of the run.
 */
export const EVENT_INVOCATIONS_PER_FUNCTION = 4;

interface Slots {
  running: number;
  waiting: (() => void)[];
}

const slotsOf = (cloud: LocalCloud, functionArn: string): Slots => {
  const all = cloud.store('lambda.eventSlots', () => new Map<string, Slots>());
  let slots = all.get(functionArn);
  if (!slots) {
    slots = { running: 0, waiting: [] };
    all.set(functionArn, slots);
  }
  return slots;
};

/** Runs one attempt of an `Event` invocation once the function has a free slot. */
export const inEventSlot = async <T>(
  cloud: LocalCloud,
  functionArn: string,
  run: () => Promise<T>,
): Promise<T> => {
  const slots = slotsOf(cloud, functionArn);
  if (slots.running >= EVENT_INVOCATIONS_PER_FUNCTION)
    await new Promise<void>((resolve) => slots.waiting.push(resolve));
  else slots.running += 1;
  try {
    return await run();
  } finally {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.running -= 1;
  }
};
