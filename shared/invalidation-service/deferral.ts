import * as z from 'zod';
import { MalformedEventError } from './errors.ts';
import { formatIssues } from './issues.ts';

/** Delay before the first retry of a deferred batch; doubles per attempt up to SQS's 900 s. */
const FIRST_DEFERRAL_SECONDS = 60;
const MAX_DEFERRAL_SECONDS = 900;
/** 5 short attempts then 15-minute ones: about a day in all, then the dead-letter queue. */
export const MAX_DEFERRAL_ATTEMPTS = 100;

export const deferralDelaySeconds = (attempt: number): number =>
  Math.min(MAX_DEFERRAL_SECONDS, FIRST_DEFERRAL_SECONDS * 2 ** Math.max(0, attempt - 1));

/**
 * A batch that did not fit the distribution's in-flight limits, parked on the deferred queue.
 * It keeps its batch index and paths, so the retry uses the same CallerReference.
 */
const DeferredMessageSchema = z
  .object({
    kind: z.literal('shipyard.deferred-invalidation'),
    version: z.literal(1),
    site: z.string().min(1),
    deployId: z.string().min(1),
    distributionId: z.string().min(1),
    attempt: z.number().int().min(1),
    batches: z
      .array(
        z.object({ batchIndex: z.number().int().min(0), paths: z.array(z.string().min(1)).min(1) }).strict(),
      )
      .min(1),
  })
  .strict();
export type DeferredMessage = z.infer<typeof DeferredMessageSchema>;

export const parseDeferredMessage = (body: string): DeferredMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedEventError('deferred', ['body: not JSON'], { cause: error });
  }
  const parsed = DeferredMessageSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError('deferred', formatIssues(parsed.error, 'body'));
  return parsed.data;
};
