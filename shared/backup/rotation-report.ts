import * as z from 'zod';

/** What rotation did in one region of one target, as the run summary and the dry-run plan carry it. */
export const rotationReportSchema = z
  .object({
    dryRun: z.boolean(),
    deleted: z.array(z.string()),
    /** Backups kept (an AMI and its snapshots count one). */
    keptBackups: z.number().int().min(0),
    /** Resources with our tags that are not provably ours, left alone. */
    notOurs: z.number().int().min(0),
    skippedInUse: z.array(z.string()),
    alreadyGone: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), detail: z.string(), retryable: z.boolean() }).strict()),
    deferredBackups: z.number().int().min(0),
    deferredDeletions: z.number().int().min(0).optional(),
  })
  .strict();
