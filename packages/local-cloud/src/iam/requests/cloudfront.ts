import { RequestContext } from '../context.ts';
import { ALL_RESOURCES, type MappingInput, type OperationMapping } from './types.ts';

/**
 * CloudFront operations (Service Authorization Reference, "Actions, resources, and condition
 * keys for Amazon CloudFront"): invalidations are authorised on their distribution,
 * `arn:aws:cloudfront::<account>:distribution/<id>` (global: no region).
 */
const distributionArn = (input: MappingInput) => {
  const id = decodeURIComponent(/^\/2020-05-31\/distribution\/([^/]+)/.exec(input.req.rawPath)?.[1] ?? '');
  return `arn:aws:cloudfront::${input.cloud.accountId}:distribution/${id}`;
};

const onDistribution =
  (action: string): OperationMapping =>
  (input) => [{ action, resource: distributionArn(input), context: new RequestContext() }];

export const CLOUDFRONT_MAPPINGS: Record<string, OperationMapping> = {
  CreateInvalidation: onDistribution('cloudfront:CreateInvalidation'),
  GetInvalidation: onDistribution('cloudfront:GetInvalidation'),
  ListInvalidations: onDistribution('cloudfront:ListInvalidations'),
  GetDistribution: onDistribution('cloudfront:GetDistribution'),
  GetDistributionConfig: onDistribution('cloudfront:GetDistributionConfig'),
  ListDistributions: () => [
    { action: 'cloudfront:ListDistributions', resource: ALL_RESOURCES, context: new RequestContext() },
  ],
};
