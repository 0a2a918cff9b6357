import type { LocalCloud } from '../../cloud.ts';
import { childText, parseXmlBody } from '../../protocol/rest-xml.ts';
import { list, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import { bucketNameProblem } from './bucket-name.ts';
import { malformedXml, noSuchBucket, S3Error } from './errors.ts';
import { type Bucket, S3_XMLNS, s3Store } from './store.ts';

export const LEGACY_REGION = 'us-east-1';

export const findBucket = (cloud: LocalCloud, name: string): Bucket => {
  const bucket = s3Store(cloud).buckets.get(name);
  if (!bucket) throw noSuchBucket(name);
  return bucket;
};

export const addBucket = (cloud: LocalCloud, name: string, region: string): Bucket => {
  const bucket: Bucket = { name, region, createdAt: cloud.now(), objects: new Map() };
  s3Store(cloud).buckets.set(name, bucket);
  return bucket;
};

const locationConstraint = (req: LocalRequest): string | undefined => {
  if (req.body.length === 0) return undefined;
  const config = parseXmlBody(req.body, 'CreateBucketConfiguration', malformedXml);
  const value = childText(config, 'LocationConstraint');
  return value === '' ? undefined : value;
};

const illegalLocation = (constraint: string) =>
  new S3Error(
    'IllegalLocationConstraintException',
    `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    400,
  );

/**
 * CreateBucket. The bucket's region is its LocationConstraint (none means us-east-1) and
 * must be the region the request was signed for. Re-creating one's own bucket is
 * BucketAlreadyOwnedByYou, except in us-east-1 where S3 answers 200 for legacy compatibility.
 */
export const createBucket = (cloud: LocalCloud, req: LocalRequest, name: string): LocalResponse => {
  const problem = bucketNameProblem(name);
  if (problem) {
    throw new S3Error('InvalidBucketName', `The specified bucket is not valid: ${problem}.`, 400, {
      BucketName: name,
    });
  }
  const constraint = locationConstraint(req);
  const region = constraint ?? LEGACY_REGION;
  if (region !== req.region) throw illegalLocation(constraint ?? 'unspecified');
  const existing = s3Store(cloud).buckets.get(name);
  if (existing) {
    if (existing.region === LEGACY_REGION && region === LEGACY_REGION) {
      return { status: 200, headers: { location: `/${name}` } };
    }
    throw new S3Error(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: name },
    );
  }
  addBucket(cloud, name, region);
  return { status: 200, headers: { location: `/${name}` } };
};

export const headBucket = (cloud: LocalCloud, name: string): LocalResponse => {
  const bucket = findBucket(cloud, name);
  return { status: 200, headers: { 'x-amz-bucket-region': bucket.region } };
};

export const deleteBucket = (cloud: LocalCloud, name: string): LocalResponse => {
  const bucket = findBucket(cloud, name);
  if (bucket.objects.size > 0) {
    throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
      BucketName: name,
    });
  }
  s3Store(cloud).buckets.delete(name);
  return { status: 204 };
};

export const listBuckets = (cloud: LocalCloud): LocalResponse => {
  const buckets = [...s3Store(cloud).buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(
      'ListAllMyBucketsResult',
      {
        Owner: { ID: cloud.accountId, DisplayName: 'local' },
        Buckets: list(
          'Bucket',
          buckets.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region })),
        ),
      },
      S3_XMLNS,
    ),
  };
};
