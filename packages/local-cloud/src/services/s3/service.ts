import type { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { s3ErrorResponse } from '../../protocol/errors.ts';
import { escapeXml } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse, LocalService, Operation } from '../../service.ts';
import { s3Address } from './addressing.ts';
import { createBucket, deleteBucket, headBucket, listBuckets } from './buckets.ts';
import { S3Error } from './errors.ts';
import { listObjectsV2 } from './list-objects.ts';
import { getBucketNotification, putBucketNotification } from './notifications.ts';
import { deleteObject, deleteObjects, getObject, headObject, putObject } from './objects.ts';
import { dumpS3, seedS3 } from './seed.ts';

/** Query parameters that select another S3 operation on the same path; none of those is modelled. */
const OTHER_OPERATIONS = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'partNumber',
  'policy',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

const notImplemented = (what: string) =>
  new S3Error('NotImplemented', `The local cloud does not implement ${what}.`, 501);

const op = (action: string, run: () => LocalResponse): Operation => ({ action, run });

const routeRequest = (req: LocalRequest, cloud: LocalCloud): Operation => {
  const { bucket, key } = s3Address(req.host, req.rawPath);
  const flags = [...req.query.keys()];
  const other = flags.find((f) => OTHER_OPERATIONS.has(f));
  const m = req.method;
  if (bucket === '') {
    if (m === 'GET') return op('ListBuckets', () => listBuckets(cloud));
    throw notImplemented(`${m} /`);
  }
  if (key === '') {
    if (m === 'POST' && req.query.has('delete')) {
      return op('DeleteObjects', () => deleteObjects(cloud, req, bucket));
    }
    if (req.query.has('notification') && m === 'PUT')
      return op('PutBucketNotificationConfiguration', () => putBucketNotification(cloud, req, bucket));
    if (req.query.has('notification') && m === 'GET')
      return op('GetBucketNotificationConfiguration', () => getBucketNotification(cloud, bucket));
    if (other !== undefined) throw notImplemented(`the bucket subresource ?${other}`);
    if (m === 'PUT') return op('CreateBucket', () => createBucket(cloud, req, bucket));
    if (m === 'HEAD') return op('HeadBucket', () => headBucket(cloud, bucket));
    if (m === 'DELETE') return op('DeleteBucket', () => deleteBucket(cloud, bucket));
    if (m === 'GET' && req.query.get('list-type') === '2') {
      return op('ListObjectsV2', () => listObjectsV2(cloud, bucket, req.query));
    }
    throw notImplemented(m === 'GET' ? 'ListObjects (v1); use ListObjectsV2' : `${m} on a bucket`);
  }
  if (other !== undefined) throw notImplemented(`the object subresource ?${other}`);
  if (m === 'PUT') return op('PutObject', () => putObject(cloud, req, bucket, key));
  if (m === 'GET') return op('GetObject', () => getObject(cloud, req, bucket, key));
  if (m === 'HEAD') return op('HeadObject', () => headObject(cloud, req, bucket, key));
  if (m === 'DELETE') return op('DeleteObject', () => deleteObject(cloud, req, bucket, key));
  throw notImplemented(`${m} on an object`);
};

const withRequestId = (response: LocalResponse, requestId: string): LocalResponse => ({
  ...response,
  headers: { ...response.headers, 'x-amz-request-id': requestId, 'x-amz-id-2': requestId },
});

/** S3 (REST-XML): buckets and objects, path-style and virtual-hosted. */
export const s3Service: LocalService = {
  name: 's3',
  route(req: LocalRequest, cloud: LocalCloud): Operation {
    const operation = routeRequest(req, cloud);
    return { action: operation.action, run: async () => withRequestId(await operation.run(), req.requestId) };
  },
  renderError(error: AwsError, req: LocalRequest): LocalResponse {
    // HEAD responses carry no body: SDKs see only the status (NotFound for a 404).
    if (req.method === 'HEAD') {
      return { status: error.status, headers: { 'x-amz-request-id': req.requestId, 'content-length': '0' } };
    }
    const details = error instanceof S3Error ? error.details : {};
    const extra = Object.entries(details)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    return s3ErrorResponse(error, req.requestId, extra);
  },
  seed: seedS3,
  dump: dumpS3,
};
