import * as z from 'zod';

/**
 * How long asynchronous operations take in simulated time. Defaults are in the range AWS
 * documents or users report; all are configurable through the control API.
 */
export const DurationsSchema = z
  .object({
    /** Snapshot time per GiB of volume size (full first snapshot). */
    snapshotMsPerGiB: z.number().min(0),
    /** Minimum time any snapshot takes. */
    snapshotMinMs: z.number().min(0),
    /** Fraction of the full time an incremental snapshot of an already-snapshotted volume takes. */
    incrementalFactor: z.number().min(0).max(1),
    /** RegisterImage: pending → available. */
    registerImageMs: z.number().min(0),
    /** CopyImage / CopySnapshot time per GiB, per region pair unless overridden. */
    copyMsPerGiB: z.number().min(0),
    copyMinMs: z.number().min(0),
    /** Per "src>dst" region pair multiplier on copy time, e.g. { "ap-south-1>us-west-1": 1.5 }. */
    copyRegionFactor: z.record(z.string(), z.number().min(0)),
    /** CreateVolume: creating → available. */
    volumeCreateMs: z.number().min(0),
    /** CloudFront invalidation: InProgress → Completed. */
    invalidationMs: z.number().min(0),
    /** RunInstances: pending → running. */
    instanceBootMs: z.number().min(0),
    /** After running: instance and system status checks initializing → ok (or impaired). */
    instanceStatusCheckMs: z.number().min(0),
    /** TerminateInstances: shutting-down → terminated. */
    instanceShutdownMs: z.number().min(0),
    /** After running: an image's SSM agent registers and pings (PingStatus Online). */
    ssmAgentOnlineMs: z.number().min(0),
    /** SSM Run Command: Pending until the agent of an Online instance picks the command up. */
    ssmCommandDeliveryMs: z.number().min(0),
    /** SSM Run Command: InProgress until the script on the instance ends. */
    ssmCommandRunMs: z.number().min(0),
    /** Global Accelerator: IN_PROGRESS → DEPLOYED after a change. */
    acceleratorDeployMs: z.number().min(0),
    /** CloudWatch SetAlarmState: how long the state set holds before the alarm's actual state returns. */
    alarmSetStateHoldMs: z.number().min(0),
  })
  .strict();
export type Durations = z.infer<typeof DurationsSchema>;

export const DEFAULT_DURATIONS: Durations = {
  snapshotMsPerGiB: 3_000,
  snapshotMinMs: 60_000,
  incrementalFactor: 0.2,
  registerImageMs: 90_000,
  copyMsPerGiB: 4_000,
  copyMinMs: 180_000,
  copyRegionFactor: {},
  volumeCreateMs: 10_000,
  invalidationMs: 120_000,
  instanceBootMs: 30_000,
  instanceStatusCheckMs: 150_000,
  instanceShutdownMs: 30_000,
  ssmAgentOnlineMs: 60_000,
  ssmCommandDeliveryMs: 2_000,
  ssmCommandRunMs: 1_000,
  acceleratorDeployMs: 60_000,
  alarmSetStateHoldMs: 10_000,
};
