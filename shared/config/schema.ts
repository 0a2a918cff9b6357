import { z } from 'zod';
import { drillSchema } from './drill.ts';
import { backupPolicySchema } from './policies.ts';
import { SiteSchema } from './sites.ts';

/** The whole Shipyard config file (one per stage). */
export const ShipyardConfigSchema = z
  .object({
    sites: z.array(SiteSchema).default([]),
    backupPolicies: z.array(backupPolicySchema).default([]),
    /** Failover drills behind Global Accelerator (shared/config/drill.ts). */
    drills: z.array(drillSchema).default([]),
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
    // One distribution belongs to one site: two sites planning invalidations for it would
    // each count the other's in-flight invalidations against their own plan.
    const owner = new Map<string, string>();
    config.sites.forEach((site, siteIndex) => {
      site.distributionIds.forEach((id, idIndex) => {
        const first = owner.get(id);
        if (first !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['sites', siteIndex, 'distributionIds', idIndex],
            message: `distribution ${id} is already listed at ${first}: expected each distribution id once in the whole file`,
          });
        else owner.set(id, `sites[${siteIndex}].distributionIds[${idIndex}]`);
      });
    });
    for (const name of new Set(duplicates(config.backupPolicies.map((p) => p.name)))) {
      ctx.addIssue({
        code: 'custom',
        path: ['backupPolicies'],
        message: `policy name "${name}" is used more than once`,
      });
    }
    config.drills.forEach((drill, index) => {
      const path = ['drills', index, 'standby'];
      const policy = config.backupPolicies.find((p) => p.name === drill.standby.policy);
      if (policy === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'policy'],
          message: `no backup policy named ${drill.standby.policy}`,
        });
      else if (!policy.verify?.regions.some((r) => r.region === drill.standby.region))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'region'],
          message: `policy ${policy.name} verifies no backup in ${drill.standby.region}: add it to backupPolicies[].verify.regions, the standby runs only a verified AMI`,
        });
    });
    const accelerators = config.drills.map((d) => d.acceleratorArn);
    for (const arn of new Set(duplicates(accelerators)))
      ctx.addIssue({
        code: 'custom',
        path: ['drills'],
        message: `accelerator ${arn} has more than one drill: one drill per accelerator`,
      });
  });

export type ShipyardConfig = z.infer<typeof ShipyardConfigSchema>;
