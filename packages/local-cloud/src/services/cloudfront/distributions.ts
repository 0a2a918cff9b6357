import { createHash } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { child, children, childText, parseXmlBody, type XmlNode } from '../../protocol/rest-xml.ts';
import { list, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalResponse } from '../../service.ts';
import {
  API_VERSION_PREFIX,
  CLOUDFRONT_XMLNS,
  type CloudFrontStore,
  cloudFrontStore,
  type Distribution,
  invalidationStatus,
  type Origin,
} from './store.ts';

/** AWS's managed "CachingOptimized" cache policy, what the console picks by default. */
const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const DEFAULT_MAX_ITEMS = 100;

export interface DistributionInput {
  id?: string;
  callerReference?: string;
  domainName?: string;
  comment?: string;
  aliases?: string[];
  defaultRootObject?: string;
  origins: { id: string; domainName: string; originPath?: string }[];
  defaultTargetOriginId?: string;
  viewerProtocolPolicy?: string;
  priceClass?: string;
  enabled?: boolean;
}

const noSuchDistribution = (id: string): AwsError =>
  new AwsError('NoSuchDistribution', `The specified distribution does not exist: ${id}`, 404);

export const findDistribution = (store: CloudFrontStore, id: string): Distribution => {
  const distribution = store.distributions.get(id);
  if (!distribution) throw noSuchDistribution(id);
  return distribution;
};

/** CloudFront ETags look like E2QWRUHAPOMQZL: stable for an unchanged configuration. */
const configEtag = (config: unknown): string => {
  const digest = createHash('md5').update(JSON.stringify(config)).digest('hex');
  return `E${BigInt(`0x${digest}`).toString(36).toUpperCase().slice(0, 13)}`;
};

const comparableConfig = (input: DistributionInput) => ({ ...input, id: undefined });

/** Creates a distribution (CreateDistribution and seeds share it). */
export const createDistribution = (cloud: LocalCloud, input: DistributionInput): Distribution => {
  const store = cloudFrontStore(cloud);
  let id = input.id;
  if (id === undefined) {
    do id = cloud.ids.nextUpper('E', 14);
    while (store.distributions.has(id));
  } else if (store.distributions.has(id)) {
    throw new RangeError(`distribution ${id} already exists`);
  }
  const firstOrigin = input.origins[0];
  if (!firstOrigin) throw new AwsError('InvalidArgument', 'A distribution needs at least one origin.');
  const now = cloud.now();
  const distribution: Distribution = {
    id,
    arn: `arn:aws:cloudfront::${cloud.accountId}:distribution/${id}`,
    callerReference: input.callerReference ?? `shipyard-local-${id}`,
    domainName: input.domainName ?? `d${id.slice(1).toLowerCase()}.cloudfront.net`,
    comment: input.comment ?? '',
    aliases: input.aliases ?? [],
    defaultRootObject: input.defaultRootObject ?? '',
    origins: input.origins.map((o) => ({
      id: o.id,
      domainName: o.domainName,
      originPath: o.originPath ?? '',
    })),
    defaultTargetOriginId: input.defaultTargetOriginId ?? firstOrigin.id,
    viewerProtocolPolicy: input.viewerProtocolPolicy ?? 'redirect-to-https',
    priceClass: input.priceClass ?? 'PriceClass_All',
    enabled: input.enabled ?? true,
    createdAt: now,
    etag: configEtag(comparableConfig(input)),
    invalidations: [],
  };
  store.distributions.set(id, distribution);
  return distribution;
};

const originXml = (origin: Origin): XmlObject => {
  const isS3 = /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.test(origin.domainName);
  return {
    Id: origin.id,
    DomainName: origin.domainName,
    OriginPath: origin.originPath,
    CustomHeaders: { Quantity: 0 },
    ...(isS3
      ? { S3OriginConfig: { OriginAccessIdentity: '' } }
      : {
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
            OriginSslProtocols: { Quantity: 1, Items: list('SslProtocol', ['TLSv1.2']) },
            OriginReadTimeout: 30,
            OriginKeepaliveTimeout: 5,
          },
        }),
    ConnectionAttempts: 3,
    ConnectionTimeout: 10,
    OriginShield: { Enabled: false },
    OriginAccessControlId: '',
  };
};

const quantityList = (itemName: string, items: string[]): XmlObject =>
  items.length === 0 ? { Quantity: 0 } : { Quantity: items.length, Items: list(itemName, items) };

const methods = ['HEAD', 'GET'];

const defaultCacheBehaviorXml = (d: Distribution): XmlObject => ({
  TargetOriginId: d.defaultTargetOriginId,
  TrustedSigners: { Enabled: false, Quantity: 0 },
  TrustedKeyGroups: { Enabled: false, Quantity: 0 },
  ViewerProtocolPolicy: d.viewerProtocolPolicy,
  AllowedMethods: {
    Quantity: methods.length,
    Items: list('Method', methods),
    CachedMethods: { Quantity: methods.length, Items: list('Method', methods) },
  },
  SmoothStreaming: false,
  Compress: true,
  LambdaFunctionAssociations: { Quantity: 0 },
  FunctionAssociations: { Quantity: 0 },
  FieldLevelEncryptionId: '',
  CachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
});

const sharedConfigXml = (d: Distribution) => ({
  Aliases: quantityList('CNAME', d.aliases),
  Origins: { Quantity: d.origins.length, Items: list('Origin', d.origins.map(originXml)) },
  OriginGroups: { Quantity: 0 },
  DefaultCacheBehavior: defaultCacheBehaviorXml(d),
  CacheBehaviors: { Quantity: 0 },
  CustomErrorResponses: { Quantity: 0 },
  Comment: d.comment,
  PriceClass: d.priceClass,
  Enabled: d.enabled,
  ViewerCertificate: {
    CloudFrontDefaultCertificate: true,
    SSLSupportMethod: 'vip',
    MinimumProtocolVersion: 'TLSv1',
    CertificateSource: 'cloudfront',
  },
  Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
  WebACLId: '',
  HttpVersion: 'http2',
  IsIPV6Enabled: true,
});

const distributionConfigXml = (d: Distribution): XmlObject => {
  const { Aliases, ...rest } = sharedConfigXml(d);
  return {
    CallerReference: d.callerReference,
    Aliases,
    DefaultRootObject: d.defaultRootObject,
    ...rest,
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    Staging: false,
  };
};

const inProgressBatches = (d: Distribution, now: number): number =>
  d.invalidations.filter((i) => invalidationStatus(i, now) === 'InProgress').length;

const distributionXml = (d: Distribution, now: number): XmlObject => ({
  Id: d.id,
  ARN: d.arn,
  Status: 'Deployed',
  LastModifiedTime: new Date(d.createdAt),
  InProgressInvalidationBatches: inProgressBatches(d, now),
  DomainName: d.domainName,
  ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
  ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
  DistributionConfig: distributionConfigXml(d),
});

const summaryXml = (d: Distribution): XmlObject => ({
  Id: d.id,
  ARN: d.arn,
  ETag: d.etag,
  Status: 'Deployed',
  LastModifiedTime: new Date(d.createdAt),
  DomainName: d.domainName,
  ...sharedConfigXml(d),
  Staging: false,
});

const xmlResponse = (
  status: number,
  root: string,
  body: XmlObject,
  headers: Record<string, string> = {},
) => ({
  status,
  headers: { 'content-type': 'text/xml', ...headers },
  body: xmlDocument(root, body, CLOUDFRONT_XMLNS),
});

/** `MaxItems` as CloudFront reads it: a non-negative integer, 100 when absent. */
export const maxItemsParam = (query: URLSearchParams): number => {
  const raw = query.get('MaxItems');
  if (raw === null || raw === '') return DEFAULT_MAX_ITEMS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new AwsError('InvalidArgument', `MaxItems must be a non-negative integer, got ${raw}`);
  }
  return n;
};

export const getDistribution = (cloud: LocalCloud, id: string): LocalResponse => {
  const d = findDistribution(cloudFrontStore(cloud), id);
  return xmlResponse(200, 'Distribution', distributionXml(d, cloud.now()), { etag: d.etag });
};

export const getDistributionConfig = (cloud: LocalCloud, id: string): LocalResponse => {
  const d = findDistribution(cloudFrontStore(cloud), id);
  return xmlResponse(200, 'DistributionConfig', distributionConfigXml(d), { etag: d.etag });
};

/** Sorted by id, so `Marker` (the last id of the previous page) is a plain lower bound. */
export const listDistributions = (cloud: LocalCloud, query: URLSearchParams): LocalResponse => {
  const marker = query.get('Marker') ?? '';
  const maxItems = maxItemsParam(query);
  const all = [...cloudFrontStore(cloud).distributions.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((d) => marker === '' || d.id > marker);
  const page = all.slice(0, maxItems);
  const isTruncated = all.length > page.length;
  return xmlResponse(200, 'DistributionList', {
    Marker: marker,
    NextMarker: isTruncated ? page.at(-1)?.id : undefined,
    MaxItems: maxItems,
    IsTruncated: isTruncated,
    Quantity: page.length,
    Items: page.length > 0 ? list('DistributionSummary', page.map(summaryXml)) : undefined,
  });
};

const invalidArgument = (message: string) => new AwsError('InvalidArgument', message);

/** The part of a DistributionConfig the local cloud models; the rest gets CloudFront defaults. */
const parseDistributionConfig = (body: Buffer): DistributionInput => {
  if (body.length === 0) {
    throw new AwsError('MissingBody', 'This operation requires a body. Ensure that the body is present.');
  }
  const config = parseXmlBody(body, 'DistributionConfig', () =>
    invalidArgument('The request body is not a valid DistributionConfig document.'),
  );
  const originsNode = child(config, 'Origins');
  const originItems = children(child(originsNode, 'Items'), 'Origin');
  const origins = originItems.map((o: XmlNode) => {
    const id = childText(o, 'Id');
    const domainName = childText(o, 'DomainName');
    if (!id || !domainName) throw invalidArgument('Every origin needs an Id and a DomainName.');
    return { id, domainName, originPath: childText(o, 'OriginPath') ?? '' };
  });
  if (Number(childText(originsNode, 'Quantity')) !== origins.length) {
    throw new AwsError('InconsistentQuantities', 'The value of Quantity and the size of Items do not match.');
  }
  const aliasesNode = child(config, 'Aliases');
  const aliases = children(child(aliasesNode, 'Items'), 'CNAME').map((a) => (typeof a === 'string' ? a : ''));
  if (aliasesNode !== undefined && Number(childText(aliasesNode, 'Quantity')) !== aliases.length) {
    throw new AwsError('InconsistentQuantities', 'The value of Quantity and the size of Items do not match.');
  }
  const callerReference = childText(config, 'CallerReference');
  if (!callerReference) throw invalidArgument('CallerReference is required.');
  const behavior = child(config, 'DefaultCacheBehavior');
  const target = childText(behavior, 'TargetOriginId');
  if (target !== undefined && !origins.some((o) => o.id === target)) {
    throw new AwsError('NoSuchOrigin', `No origin has the id ${target}.`, 404);
  }
  return {
    callerReference,
    comment: childText(config, 'Comment') ?? '',
    aliases,
    defaultRootObject: childText(config, 'DefaultRootObject') ?? '',
    origins,
    defaultTargetOriginId: target,
    viewerProtocolPolicy: childText(behavior, 'ViewerProtocolPolicy'),
    priceClass: childText(config, 'PriceClass'),
    enabled: childText(config, 'Enabled') !== 'false',
  };
};

/**
 * CreateDistribution. Same CallerReference and same configuration returns the existing
 * distribution; same reference with another configuration is DistributionAlreadyExists.
 */
export const createDistributionFromRequest = (cloud: LocalCloud, body: Buffer): LocalResponse => {
  const input = parseDistributionConfig(body);
  const store = cloudFrontStore(cloud);
  const etag = configEtag(comparableConfig(input));
  const existing = [...store.distributions.values()].find((d) => d.callerReference === input.callerReference);
  if (existing && existing.etag !== etag) {
    throw new AwsError(
      'DistributionAlreadyExists',
      `The caller reference ${input.callerReference} is already associated with distribution ${existing.id}.`,
      409,
    );
  }
  const d = existing ?? createDistribution(cloud, input);
  return xmlResponse(201, 'Distribution', distributionXml(d, cloud.now()), {
    etag: d.etag,
    location: `https://cloudfront.amazonaws.com${API_VERSION_PREFIX}/distribution/${d.id}`,
  });
};
