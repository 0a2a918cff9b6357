import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { child, children, childText, parseXmlBody } from '../../protocol/rest-xml.ts';
import { list, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalResponse } from '../../service.ts';
import { billPaths } from './billing.ts';
import { findDistribution, maxItemsParam } from './distributions.ts';
import { checkInvalidationPath } from './paths.ts';
import {
  API_VERSION_PREFIX,
  CLOUDFRONT_XMLNS,
  cloudFrontStore,
  type Distribution,
  type Invalidation,
  type InvalidationPath,
  invalidationStatus,
} from './store.ts';

/** AWS-FACTS "Limits": file paths in progress per distribution. Cache tags count here too [unconfirmed]. */
const MAX_IN_PROGRESS_FILE_PATHS = 3_000;
/** AWS-FACTS "Limits": wildcard paths in progress per distribution. */
const MAX_IN_PROGRESS_WILDCARD_PATHS = 15;
/**
 * HTTP status of InvalidationBatchAlreadyExists [unconfirmed]: the error is documented on
 * CallerReference but absent from the API models; CloudFront's other *AlreadyExists are 409.
 */
const BATCH_ALREADY_EXISTS_STATUS = 409;

const invalidArgument = (message: string) => new AwsError('InvalidArgument', message);

interface BatchRequest {
  callerReference: string;
  paths: InvalidationPath[];
}

const parseBatch = (body: Buffer): BatchRequest => {
  if (body.length === 0) {
    throw new AwsError('MissingBody', 'This operation requires a body. Ensure that the body is present.');
  }
  const batch = parseXmlBody(body, 'InvalidationBatch', () =>
    invalidArgument('The request body is not a valid InvalidationBatch document.'),
  );
  const callerReference = childText(batch, 'CallerReference');
  if (!callerReference) throw invalidArgument('CallerReference is required.');
  const pathsNode = child(batch, 'Paths');
  const quantityText = childText(pathsNode, 'Quantity');
  const quantity = Number(quantityText);
  if (quantityText === undefined || quantityText === '' || !Number.isInteger(quantity) || quantity < 0) {
    throw invalidArgument('Paths.Quantity must be a non-negative integer.');
  }
  const items = children(child(pathsNode, 'Items'), 'Path').map((p) => (typeof p === 'string' ? p : ''));
  if (items.length !== quantity) {
    throw new AwsError('InconsistentQuantities', 'The value of Quantity and the size of Items do not match.');
  }
  // An empty batch has nothing to invalidate; CloudFront's exact answer is [unconfirmed].
  if (items.length === 0) throw invalidArgument('Your request contains no invalidation paths.');
  const paths = items.map((item) => {
    const checked = checkInvalidationPath(item);
    if (!checked.ok) {
      throw invalidArgument(
        `Your request contains one or more invalid invalidation paths. (${checked.reason})`,
      );
    }
    return checked.value;
  });
  return { callerReference, paths };
};

/** Order-insensitive: a retried deploy may list the same paths in another order. */
const samePaths = (a: InvalidationPath[], b: InvalidationPath[]): boolean => {
  if (a.length !== b.length) return false;
  const left = a.map((p) => p.path).sort();
  const right = b.map((p) => p.path).sort();
  return left.every((p, i) => p === right[i]);
};

const checkInProgressLimits = (d: Distribution, paths: InvalidationPath[], now: number): void => {
  let files = 0;
  let wildcards = 0;
  const count = (p: InvalidationPath) => {
    if (p.kind === 'wildcard') wildcards += 1;
    else files += 1;
  };
  for (const inv of d.invalidations) {
    if (invalidationStatus(inv, now) === 'InProgress') inv.paths.forEach(count);
  }
  const before = { files, wildcards };
  paths.forEach(count);
  if (files > MAX_IN_PROGRESS_FILE_PATHS || wildcards > MAX_IN_PROGRESS_WILDCARD_PATHS) {
    throw new AwsError(
      'TooManyInvalidationsInProgress',
      `Processing your request would cause you to exceed the maximum number of in-progress invalidation paths ` +
        `(${before.files} file and ${before.wildcards} wildcard paths in progress on ${d.id}; limits ` +
        `${MAX_IN_PROGRESS_FILE_PATHS} and ${MAX_IN_PROGRESS_WILDCARD_PATHS}).`,
    );
  }
};

const invalidationXml = (inv: Invalidation, now: number): XmlObject => ({
  Id: inv.id,
  Status: invalidationStatus(inv, now),
  CreateTime: new Date(inv.createdAt),
  InvalidationBatch: {
    Paths: {
      Quantity: inv.paths.length,
      Items: list(
        'Path',
        inv.paths.map((p) => p.path),
      ),
    },
    CallerReference: inv.callerReference,
  },
});

const invalidationResponse = (
  status: number,
  inv: Invalidation,
  now: number,
  headers = {},
): LocalResponse => ({
  status,
  headers: { 'content-type': 'text/xml', ...headers },
  body: xmlDocument('Invalidation', invalidationXml(inv, now), CLOUDFRONT_XMLNS),
});

/**
 * CreateInvalidation: validate the whole batch, honour CallerReference idempotency, then
 * the in-progress limits (a batch over a limit is rejected whole), then create and bill.
 */
export const createInvalidation = (
  cloud: LocalCloud,
  distributionId: string,
  body: Buffer,
): LocalResponse => {
  const store = cloudFrontStore(cloud);
  const d = findDistribution(store, distributionId);
  const batch = parseBatch(body);
  const now = cloud.now();
  const location = (inv: Invalidation) => ({
    location: `https://cloudfront.amazonaws.com${API_VERSION_PREFIX}/distribution/${d.id}/invalidation/${inv.id}`,
  });
  const previous = d.invalidations.find((i) => i.callerReference === batch.callerReference);
  if (previous) {
    if (!samePaths(previous.paths, batch.paths)) {
      throw new AwsError(
        'InvalidationBatchAlreadyExists',
        `The CallerReference ${batch.callerReference} was already used by invalidation ${previous.id} with different paths.`,
        BATCH_ALREADY_EXISTS_STATUS,
      );
    }
    return invalidationResponse(201, previous, now, location(previous));
  }
  checkInProgressLimits(d, batch.paths, now);
  const inv: Invalidation = {
    id: cloud.ids.nextUpper('I', 14),
    distributionId: d.id,
    callerReference: batch.callerReference,
    paths: batch.paths,
    createdAt: now,
    completesAt: now + cloud.durations.invalidationMs,
  };
  d.invalidations.push(inv);
  billPaths(cloud, store, inv.paths.length);
  const overEncoded = inv.paths.filter((p) => p.matchesNothing).length;
  if (overEncoded > 0) cloud.counters.add('cloudfront.overEncodedPaths', overEncoded);
  return invalidationResponse(201, inv, now, location(inv));
};

export const getInvalidation = (cloud: LocalCloud, distributionId: string, id: string): LocalResponse => {
  const d = findDistribution(cloudFrontStore(cloud), distributionId);
  const inv = d.invalidations.find((i) => i.id === id);
  if (!inv) throw new AwsError('NoSuchInvalidation', `The specified invalidation does not exist: ${id}`, 404);
  return invalidationResponse(200, inv, cloud.now());
};

/**
 * ListInvalidations: newest first, as CloudFront documents; `Marker` is the id of the last
 * invalidation of the previous page. An unknown marker yields an empty page.
 */
export const listInvalidations = (
  cloud: LocalCloud,
  distributionId: string,
  query: URLSearchParams,
): LocalResponse => {
  const d = findDistribution(cloudFrontStore(cloud), distributionId);
  const marker = query.get('Marker') ?? '';
  const maxItems = maxItemsParam(query);
  const newestFirst = [...d.invalidations].reverse();
  const start = marker === '' ? 0 : newestFirst.findIndex((i) => i.id === marker) + 1 || newestFirst.length;
  const rest = newestFirst.slice(start);
  const page = rest.slice(0, maxItems);
  const isTruncated = rest.length > page.length;
  const now = cloud.now();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: xmlDocument(
      'InvalidationList',
      {
        Marker: marker,
        NextMarker: isTruncated ? page.at(-1)?.id : undefined,
        MaxItems: maxItems,
        IsTruncated: isTruncated,
        Quantity: page.length,
        Items:
          page.length > 0
            ? list(
                'InvalidationSummary',
                page.map((i) => ({
                  Id: i.id,
                  CreateTime: new Date(i.createdAt),
                  Status: invalidationStatus(i, now),
                })),
              )
            : undefined,
      },
      CLOUDFRONT_XMLNS,
    ),
  };
};
