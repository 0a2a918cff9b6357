import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { restXmlErrorResponse } from '../../protocol/errors.ts';
import type { LocalRequest, LocalService, Operation } from '../../service.ts';
import {
  createDistributionFromRequest,
  getDistribution,
  getDistributionConfig,
  listDistributions,
} from './distributions.ts';
import { createInvalidation, getInvalidation, listInvalidations } from './invalidations.ts';
import { dumpCloudFront, seedCloudFront } from './seed.ts';
import { API_VERSION_PREFIX, CLOUDFRONT_XMLNS } from './store.ts';

const segment = '([^/]+)';
const ROUTES: { method: string; pattern: RegExp; action: string }[] = [
  { method: 'POST', pattern: /^\/distribution$/, action: 'CreateDistribution' },
  { method: 'GET', pattern: /^\/distribution$/, action: 'ListDistributions' },
  { method: 'GET', pattern: new RegExp(`^/distribution/${segment}$`), action: 'GetDistribution' },
  {
    method: 'GET',
    pattern: new RegExp(`^/distribution/${segment}/config$`),
    action: 'GetDistributionConfig',
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/distribution/${segment}/invalidation$`),
    action: 'CreateInvalidation',
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/distribution/${segment}/invalidation$`),
    action: 'ListInvalidations',
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/distribution/${segment}/invalidation/${segment}$`),
    action: 'GetInvalidation',
  },
];

const decodeSegment = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AwsError('InvalidArgument', `The id ${raw} is not valid.`);
  }
};

const run = (action: string, ids: string[], req: LocalRequest, cloud: LocalCloud) => {
  const [first = '', second = ''] = ids;
  switch (action) {
    case 'CreateDistribution':
      return createDistributionFromRequest(cloud, req.body);
    case 'ListDistributions':
      return listDistributions(cloud, req.query);
    case 'GetDistribution':
      return getDistribution(cloud, first);
    case 'GetDistributionConfig':
      return getDistributionConfig(cloud, first);
    case 'CreateInvalidation':
      return createInvalidation(cloud, first, req.body);
    case 'ListInvalidations':
      return listInvalidations(cloud, first, req.query);
    default:
      return getInvalidation(cloud, first, second);
  }
};

/** CloudFront (REST-XML, global): distributions and invalidations. */
export const cloudFrontService: LocalService = {
  name: 'cloudfront',
  global: true,
  route(req: LocalRequest, cloud: LocalCloud): Operation {
    const path = req.rawPath.startsWith(`${API_VERSION_PREFIX}/`)
      ? req.rawPath.slice(API_VERSION_PREFIX.length)
      : undefined;
    // Query flags select other operations on the same path (e.g. ?WithTags); those are not modelled.
    const unsupportedFlag = [...req.query.keys()].some((k) => !['Marker', 'MaxItems'].includes(k));
    for (const route of ROUTES) {
      if (path === undefined || unsupportedFlag || route.method !== req.method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const ids = match.slice(1).map(decodeSegment);
      return { action: route.action, run: () => run(route.action, ids, req, cloud) };
    }
    throw new AwsError(
      'InvalidAction',
      `The local cloud does not implement CloudFront ${req.method} ${req.rawPath}`,
      400,
    );
  },
  renderError: (error, req) => restXmlErrorResponse(error, req.requestId, CLOUDFRONT_XMLNS),
  seed: seedCloudFront,
  dump: dumpCloudFront,
};
