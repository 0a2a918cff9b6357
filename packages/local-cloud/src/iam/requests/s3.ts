import { s3Address } from '../../services/s3/addressing.ts';
import { s3Store } from '../../services/s3/store.ts';
import { RequestContext } from '../context.ts';
import type { AuthorizationRequest } from '../evaluate.ts';
import { ALL_RESOURCES, type MappingInput, type OperationMapping } from './types.ts';

/**
 * S3 operations → actions and ARNs (Service Authorization Reference, "Actions, resources, and
 * condition keys for Amazon S3"): objects are `arn:aws:s3:::<bucket>/<key>`, buckets
 * `arn:aws:s3:::<bucket>`; ListObjectsV2 is authorised as s3:ListBucket with the `s3:prefix`,
 * `s3:delimiter` and `s3:max-keys` of the request; HeadObject as s3:GetObject.
 */
const address = (input: MappingInput) => s3Address(input.req.host, input.req.rawPath);
const objectArn = (input: MappingInput) => {
  const { bucket, key } = address(input);
  return `arn:aws:s3:::${bucket}/${key}`;
};
const bucketArn = (input: MappingInput) => `arn:aws:s3:::${address(input).bucket}`;

const onObject =
  (action: string): OperationMapping =>
  (input) => [{ action, resource: objectArn(input), context: new RequestContext() }];

/**
 * Reading a key that does not exist answers 404 only to a caller allowed s3:ListBucket on the
 * bucket, 403 AccessDenied to any other (S3 API Reference, GetObject and HeadObject, "Permissions").
 */
const readObject: OperationMapping = (input) => {
  const { bucket, key } = address(input);
  const read = { action: 's3:GetObject', resource: objectArn(input), context: new RequestContext() };
  const found = s3Store(input.cloud).buckets.get(bucket);
  if (!found || found.objects.has(key)) return [read];
  return [read, { action: 's3:ListBucket', resource: bucketArn(input), context: new RequestContext() }];
};

const onBucket =
  (action: string): OperationMapping =>
  (input) => [{ action, resource: bucketArn(input), context: new RequestContext() }];

const listObjectsV2: OperationMapping = (input): AuthorizationRequest[] => {
  const q = input.req.query;
  const context = new RequestContext({
    's3:prefix': q.get('prefix') ?? undefined,
    's3:delimiter': q.get('delimiter') ?? undefined,
    's3:max-keys': q.get('max-keys') ?? undefined,
  });
  return [{ action: 's3:ListBucket', resource: bucketArn(input), context }];
};

export const S3_MAPPINGS: Record<string, OperationMapping> = {
  GetObject: readObject,
  HeadObject: readObject,
  PutObject: onObject('s3:PutObject'),
  DeleteObject: onObject('s3:DeleteObject'),
  ListObjectsV2: listObjectsV2,
  HeadBucket: onBucket('s3:ListBucket'),
  ListBuckets: () => [
    { action: 's3:ListAllMyBuckets', resource: ALL_RESOURCES, context: new RequestContext() },
  ],
};
