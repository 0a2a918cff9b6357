import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { billingSummary } from './billing.ts';
import { createDistribution } from './distributions.ts';
import { cloudFrontStore, invalidationStatus } from './store.ts';

const OriginSeedSchema = z
  .object({
    id: z.string().min(1, 'origin id must not be empty'),
    domainName: z.string().min(1, 'origin domainName must not be empty'),
    originPath: z
      .string()
      .regex(/^(\/[^/].*[^/])?$|^\/[^/]$/, 'originPath is empty or starts with / and does not end with /')
      .optional(),
  })
  .strict();

const DistributionSeedSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Z0-9]{1,14}$/, 'distribution id is 1-14 upper-case letters or digits, like E2QWRUHAPOMQZL')
      .optional(),
    domainName: z.string().min(1).optional(),
    comment: z.string().optional(),
    aliases: z.array(z.string().min(1)).optional(),
    defaultRootObject: z.string().optional(),
    origins: z.array(OriginSeedSchema).min(1, 'a distribution needs at least one origin'),
    enabled: z.boolean().optional(),
  })
  .strict();

const CloudFrontSeedSchema = z.object({ distributions: z.array(DistributionSeedSchema) }).strict();

/** `{ distributions: [...] }` → `{ distributions: [{ id, domainName }] }`. */
export const seedCloudFront = (cloud: LocalCloud, input: unknown) => {
  const seed = CloudFrontSeedSchema.parse(input);
  return {
    distributions: seed.distributions.map((d) => {
      const created = createDistribution(cloud, d);
      return { id: created.id, domainName: created.domainName };
    }),
  };
};

/** Every distribution with its invalidations (paths and current status) and the billing estimate. */
export const dumpCloudFront = (cloud: LocalCloud) => {
  const store = cloudFrontStore(cloud);
  const now = cloud.now();
  return {
    distributions: [...store.distributions.values()].map((d) => ({
      id: d.id,
      domainName: d.domainName,
      comment: d.comment,
      aliases: d.aliases,
      defaultRootObject: d.defaultRootObject,
      origins: d.origins,
      enabled: d.enabled,
      invalidations: d.invalidations.map((i) => ({
        id: i.id,
        callerReference: i.callerReference,
        status: invalidationStatus(i, now),
        createTime: new Date(i.createdAt).toISOString(),
        completesAt: new Date(i.completesAt).toISOString(),
        paths: i.paths,
      })),
    })),
    billing: billingSummary(store),
  };
};
