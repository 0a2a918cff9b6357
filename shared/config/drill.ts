/**
 * `drills[]`: failover drills behind an AWS Global Accelerator. Traffic moves from the
 * primary region's endpoint group to the standby's in steps, baking at each with CloudWatch
 * alarms as the gate, and back. Whether the accelerator and its groups exist is checked by
 * the drill's first step (the file cannot show it); that the standby region holds verified
 * backups of the named policy is checked with the whole file (schema.ts).
 */
import * as z from 'zod';
import { policyNameSchema, regionSchema } from './policies.ts';

const ACCELERATOR_ARN = /^arn:aws:globalaccelerator::\d{12}:accelerator\/[0-9a-f-]{36}$/;
const ENDPOINT_GROUP_ARN =
  /^(arn:aws:globalaccelerator::\d{12}:accelerator\/[0-9a-f-]{36})\/listener\/[0-9a-f]{8}\/endpoint-group\/[0-9a-f]{12}$/;

/** The accelerator an endpoint group ARN belongs to (its ARN prefix), undefined if malformed. */
const acceleratorOfGroup = (endpointGroupArn: string): string | undefined =>
  ENDPOINT_GROUP_ARN.exec(endpointGroupArn)?.[1];

const groupSchema = z
  .object({
    region: regionSchema,
    endpointGroupArn: z
      .string()
      .regex(
        ENDPOINT_GROUP_ARN,
        'not a Global Accelerator endpoint group ARN (arn:aws:globalaccelerator::<account>:accelerator/<id>/listener/<id>/endpoint-group/<id>)',
      ),
  })
  .strict();

const alarmSchema = z.object({ region: regionSchema, name: z.string().min(1).max(255) }).strict();

export const drillSchema = z
  .object({
    name: policyNameSchema,
    acceleratorArn: z
      .string()
      .regex(
        ACCELERATOR_ARN,
        'not a Global Accelerator ARN (arn:aws:globalaccelerator::<account>:accelerator/<id>)',
      ),
    /** Where traffic runs today. */
    primary: groupSchema,
    /** Where the drill moves it, launched from Shipyard's verified backups. */
    standby: groupSchema
      .extend({
        /** The backup policy whose verified AMIs the standby runs. */
        policy: policyNameSchema,
        /** The target (instance id) whose backups the standby runs. */
        target: z.string().min(1),
        /** The standby's newest verified AMI must be younger than this. */
        maxImageAgeHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90),
        /** Shipyard adds a version with the verified AMI (CreateLaunchTemplateVersion). */
        launchTemplateId: z.string().regex(/^lt-[0-9a-f]{17}$/, 'not a launch template id (lt-…)'),
      })
      .strict(),
    /** Percent of the primary's traffic moved to the standby, step by step (strictly increasing). */
    steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .default([10, 50, 100])
      .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0)), {
        message: 'steps must be strictly increasing percentages (e.g. [10, 50, 100])',
      }),
    /** How long each step bakes with the alarms as the gate. */
    bakeSeconds: z.number().int().min(30).max(3_600).default(300),
    /** Any of them in ALARM during a bake reverts the drill. */
    alarms: z.array(alarmSchema).min(1, 'name at least one CloudWatch alarm as the gate'),
    /** How long one dial change may stay IN_PROGRESS before the drill reverts. */
    settleSeconds: z.number().int().min(30).max(1_800).default(300),
  })
  .strict()
  .superRefine((drill, ctx) => {
    for (const key of ['primary', 'standby'] as const) {
      const accelerator = acceleratorOfGroup(drill[key].endpointGroupArn);
      if (accelerator !== undefined && accelerator !== drill.acceleratorArn)
        ctx.addIssue({
          code: 'custom',
          message: `endpoint group belongs to ${accelerator}, not to ${drill.acceleratorArn}`,
          path: [key, 'endpointGroupArn'],
        });
    }
    if (drill.primary.region === drill.standby.region)
      ctx.addIssue({
        code: 'custom',
        message: 'the standby region is the primary region',
        path: ['standby', 'region'],
      });
  });

export type DrillConfig = z.infer<typeof drillSchema>;
