import * as z from 'zod';

const GUEST_SERVICE_STATES = ['ok', 'error', 'not-listening'] as const;
export type GuestService = (typeof GUEST_SERVICE_STATES)[number];

/**
 * What the operating system inside an image does when an instance boots from it: whether it
 * passes the instance status check (reachability) and whether an SSM Agent registers the
 * instance with Systems Manager. A seeded image says so itself (`guest`), copies keep it (the
 * copy is the same disk), and images made during a run get it from the async faults
 * `status-check-failed` (impaired), `status-check-stuck` (never leaves initializing) and
 * `ssm-agent-missing`, consumed once per launched instance (run-instances.ts). `service` is what
 * answers an HTTP GET on localhost inside the instance (the verification's HTTP probe, run
 * through SSM Run Command: ssm/commands.ts); the async faults `service-error` and
 * `service-not-listening` set it for images made during a run.
 */
export const GuestSchema = z
  .object({
    /** `pass` (default), `impaired` (reachability failed) or `never-ready` (initializing forever). */
    statusChecks: z.enum(['pass', 'impaired', 'never-ready']).optional(),
    /** Whether an SSM Agent runs and registers the instance (true by default). */
    ssmAgent: z.boolean().optional(),
    /** `ok` answers 200 (default), `error` answers 500, `not-listening` refuses the connection. */
    service: z.enum(GUEST_SERVICE_STATES).optional(),
  })
  .strict();
export type Guest = z.infer<typeof GuestSchema>;
