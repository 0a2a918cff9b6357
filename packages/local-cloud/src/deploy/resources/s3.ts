import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { created, type ResourceHandler } from '../context.ts';

/** Creates the bucket if missing; bucket settings (encryption, versioning…) have no local effect. */
export const ensureBucket = async (
  client: import('@aws-sdk/client-s3').S3Client,
  region: string,
  bucket: string,
) => {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw error;
  }
  await client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
    }),
  );
};

export const deployBucket: ResourceHandler = async (ctx, resource) => {
  await ensureBucket(ctx.clients.s3, ctx.region, resource.physical.ref);
  return created(resource.physical.ref);
};
