import { z } from 'zod';

/**
 * What the operating system inside an image does when an instance boots from it: whether it
 * passes the instance status check (reachability) and whether an SSM Agent registers the
 * instance with Systems Manager. A seeded image says so itself (`guest`), copies keep it (the
 * copy is the same disk), and images made during a run get it from the async faults
 * `status-check-failed` (impaired), `status-check-stuck` (never leaves initializing) and
 * `ssm-agent-missing`, consumed once per launched instance (run-instances.ts).
 */
export const GuestSchema = z
  .object({
    /** `pass` (default), `impaired` (reachability failed) or `never-ready` (initializing forever). */
    statusChecks: z.enum(['pass', 'impaired', 'never-ready']).optional(),
    /** Whether an SSM Agent runs and registers the instance (true by default). */
    ssmAgent: z.boolean().optional(),
  })
  .strict();
export type Guest = z.infer<typeof GuestSchema>;
