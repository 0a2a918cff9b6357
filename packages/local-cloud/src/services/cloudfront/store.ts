import type { LocalCloud } from '../../cloud.ts';

export const CLOUDFRONT_XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
export const API_VERSION_PREFIX = '/2020-05-31';

export interface Origin {
  id: string;
  domainName: string;
  originPath: string;
}

type PathKind = 'file' | 'wildcard' | 'tag';

export interface InvalidationPath {
  /** Exactly as submitted: responses echo it, idempotency compares it. */
  path: string;
  kind: PathKind;
  /** Over-encoded paths are accepted by CloudFront but match no cached object. */
  matchesNothing: boolean;
}

export interface Invalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: InvalidationPath[];
  createdAt: number;
  /** Fixed at creation so a later change of durations does not move running invalidations. */
  completesAt: number;
}

export interface Distribution {
  id: string;
  arn: string;
  callerReference: string;
  domainName: string;
  comment: string;
  aliases: string[];
  defaultRootObject: string;
  origins: Origin[];
  defaultTargetOriginId: string;
  viewerProtocolPolicy: string;
  priceClass: string;
  enabled: boolean;
  createdAt: number;
  etag: string;
  /** In creation order. */
  invalidations: Invalidation[];
}

export interface CloudFrontStore {
  distributions: Map<string, Distribution>;
  /** Paths billed per UTC month ("2026-03"), for the free-tier cost estimate. */
  billedPathsByMonth: Map<string, number>;
}

export const cloudFrontStore = (cloud: LocalCloud): CloudFrontStore =>
  cloud.store('cloudfront', () => ({ distributions: new Map(), billedPathsByMonth: new Map() }));

export type InvalidationStatus = 'InProgress' | 'Completed';

/** Derived from the simulated clock on every read: no timers, so advancing the clock is enough. */
export const invalidationStatus = (invalidation: Invalidation, now: number): InvalidationStatus =>
  now >= invalidation.completesAt ? 'Completed' : 'InProgress';
