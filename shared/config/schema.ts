import { z } from 'zod';
import { backupPolicySchema } from './policies.ts';
import { SiteSchema } from './sites.ts';

/** The whole Shipyard config file (one per stage). */
export const ShipyardConfigSchema = z
  .object({
    sites: z.array(SiteSchema).default([]),
    backupPolicies: z.array(backupPolicySchema).default([]),
    /** Where alarms and run summaries are published. */
    notifications: z.object({ email: z.email().optional() }).strict().default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const duplicates = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
    for (const name of new Set(duplicates(config.sites.map((s) => s.name)))) {
      ctx.addIssue({
        code: 'custom',
        path: ['sites'],
        message: `site name "${name}" is used more than once`,
      });
    }
    for (const name of new Set(duplicates(config.backupPolicies.map((p) => p.name)))) {
      ctx.addIssue({
        code: 'custom',
        path: ['backupPolicies'],
        message: `policy name "${name}" is used more than once`,
      });
    }
  });

export type ShipyardConfig = z.infer<typeof ShipyardConfigSchema>;
export type ShipyardConfigInput = z.input<typeof ShipyardConfigSchema>;
