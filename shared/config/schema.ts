import * as z from 'zod';
import { FREE_PATHS_PER_MONTH } from '../invalidation/pricing.ts';
import { drillSchema } from './drill.ts';
import { backupPolicySchema, partitionProblems } from './policies.ts';
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
    /** Account-wide invalidation settings: the free paths are shared by every distribution. */
    invalidationAccount: z
      .object({
        /** Billed paths per UTC month the whole account may spend (all sites, other tools included). */
        monthlyPathCap: z.number().int().min(1).default(FREE_PATHS_PER_MONTH),
      })
      .strict()
      .prefault({}),
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
    for (const { index, message } of partitionProblems(config.backupPolicies))
      ctx.addIssue({ code: 'custom', path: ['backupPolicies', index, 'sourceRegion'], message });
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
  })
  .transform((config) => {
    // A site without its own budget gets an equal share of what the account cap leaves.
    const explicit = config.sites.reduce((n, s) => n + (s.invalidation.monthlyPathBudget ?? 0), 0);
    const open = config.sites.filter((s) => s.invalidation.monthlyPathBudget === undefined).length;
    const share = Math.max(
      1,
      Math.floor(Math.max(0, config.invalidationAccount.monthlyPathCap - explicit) / Math.max(1, open)),
    );
    return {
      ...config,
      sites: config.sites.map((site) => ({
        ...site,
        invalidation: {
          ...site.invalidation,
          monthlyPathBudget: site.invalidation.monthlyPathBudget ?? share,
        },
      })),
    };
  });

export type ShipyardConfig = z.infer<typeof ShipyardConfigSchema>;
