import { request } from 'node:http';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const client = (region = 'us-east-1') =>
  new S3Client({ ...clientConfig(local().url, region), maxAttempts: 1 });

const withBucket = async (name = 'site') => {
  await local().control.seed({ s3: { buckets: [{ name }] } });
  return client();
};

interface S3Dump {
  s3: {
    buckets: { name: string; objects: { key: string }[] }[];
    events: {
      eventName: string;
      bucket: string;
      key: string;
      size?: number;
      eTag?: string;
      sequencer: string;
    }[];
  };
}

/** A raw HTTP call, for what SDKs do not let a test control (Host header, chunked bodies). */
const raw = (options: {
  method: string;
  path: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string;
}) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const url = new URL(local().url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: { ...(options.host ? { host: options.host } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });

describe('S3 objects (REST-XML)', () => {
  it('stores an object with a quoted-MD5 ETag, its Content-Type and a Last-Modified from the simulated clock', async () => {
    // Prepare
    const s3 = await withBucket();
    const { iso } = await local().control.advance({ minutes: 5 });
    // Act
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'site',
        Key: 'docs/index.html',
        Body: 'hello',
        ContentType: 'text/html',
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'docs/index.html' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'docs/index.html' }));
    // Assess
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(got.ContentType).toBe('text/html');
    expect(got.ETag).toBe(put.ETag);
    expect(head).toMatchObject({ ContentLength: 5, ContentType: 'text/html', ETag: put.ETag });
    expect(head.LastModified?.toISOString()).toBe(
      new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString(),
    );
  });

  it('keeps keys exactly: spaces, plus signs, unicode, leading zeros', async () => {
    const s3 = await withBucket();
    const keys = ['a b+c.html', 'ünï/cødé €.txt', 'q?x=1&y=2', '007'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'site', Key, Body: Key }));
    const bodies = await Promise.all(
      keys.map(async (Key) =>
        (await s3.send(new GetObjectCommand({ Bucket: 'site', Key }))).Body?.transformToString(),
      ),
    );
    expect(bodies).toEqual(keys);
  });

  it('decodes an aws-chunked streaming upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER) so the stored body is exact', async () => {
    // Prepare
    const s3 = await withBucket();
    const body = Readable.from([Buffer.from('chunk-one|'), Buffer.from('chunk-two')]);
    // Act
    await s3.send(
      new PutObjectCommand({ Bucket: 'site', Key: 'streamed.txt', Body: body, ContentLength: 19 }),
    );
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'site', Key: 'streamed.txt', ChecksumMode: 'ENABLED' }),
    );
    // Assess
    expect(await got.Body?.transformToString()).toBe('chunk-one|chunk-two');
    expect(got.ContentLength).toBe(19);
    expect(got.ContentEncoding).toBeUndefined();
  });

  it('decodes signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and keeps other content encodings', async () => {
    await withBucket();
    const sig = `;chunk-signature=${'0'.repeat(64)}`;
    const res = await raw({
      method: 'PUT',
      path: '/site/signed.txt',
      headers: {
        'content-encoding': 'aws-chunked,gzip',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': '11',
      },
      body: `5${sig}\r\nhello\r\n6${sig}\r\n world\r\n0${sig}\r\n\r\n`,
    });
    expect(res.status).toBe(200);
    const got = await client().send(new GetObjectCommand({ Bucket: 'site', Key: 'signed.txt' }));
    expect(got.ContentEncoding).toBe('gzip');
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).toString()).toBe('hello world');
  });

  it('rejects a chunked body shorter than x-amz-decoded-content-length and a wrong checksum, with S3 codes', async () => {
    await withBucket();
    const short = await raw({
      method: 'PUT',
      path: '/site/short.txt',
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' },
      body: '3\r\nabc\r\n0\r\n\r\n',
    });
    const corrupt = await raw({
      method: 'PUT',
      path: '/site/corrupt.txt',
      headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
      body: 'data',
    });
    expect([short.status, short.body]).toEqual([400, expect.stringContaining('<Code>IncompleteBody</Code>')]);
    expect([corrupt.status, corrupt.body]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
  });

  it('serves virtual-hosted requests (Host: bucket.localhost:PORT and bucket.s3.amazonaws.com)', async () => {
    const s3 = await withBucket('vhost-site');
    await s3.send(new PutObjectCommand({ Bucket: 'vhost-site', Key: 'a/b.txt', Body: 'virtual' }));
    const port = new URL(local().url).port;
    const viaLocalhost = await raw({ method: 'GET', path: '/a/b.txt', host: `vhost-site.localhost:${port}` });
    const viaAws = await raw({
      method: 'GET',
      path: '/a/b.txt',
      host: 'vhost-site.s3.us-east-1.amazonaws.com',
    });
    expect([viaLocalhost.status, viaLocalhost.body]).toEqual([200, 'virtual']);
    expect([viaAws.status, viaAws.body]).toEqual([200, 'virtual']);
  });

  it('missing key → NoSuchKey (404); HEAD of a missing key → 404 with no body; missing bucket → NoSuchBucket', async () => {
    const s3 = await withBucket();
    await expect(s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'absent', Key: 'k' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      BucketName: 'absent',
    });
    const head = await raw({ method: 'HEAD', path: '/site/nope' });
    expect([head.status, head.body]).toEqual([404, '']);
  });

  it('CreateBucket: BucketAlreadyOwnedByYou outside us-east-1, 200 in us-east-1 (legacy), InvalidBucketName for bad names', async () => {
    // Prepare
    const east = client('us-east-1');
    const west = client('eu-west-1');
    await east.send(new CreateBucketCommand({ Bucket: 'legacy-bucket' }));
    await west.send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    // Act
    const again = await east.send(new CreateBucketCommand({ Bucket: 'legacy-bucket' }));
    const westAgain = west.send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    // Assess
    expect(again.$metadata.httpStatusCode).toBe(200);
    await expect(westAgain).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      $metadata: { httpStatusCode: 409 },
    });
    for (const Bucket of ['ab', 'Upper-Case', 'double..dot', '192.168.1.1', 'xn--punycode', '-dash-first']) {
      const res = await raw({ method: 'PUT', path: `/${Bucket}` });
      expect([Bucket, res.status, res.body]).toEqual([
        Bucket,
        400,
        expect.stringContaining('<Code>InvalidBucketName</Code>'),
      ]);
    }
  });

  it('CreateBucket without a LocationConstraint outside us-east-1 → IllegalLocationConstraintException', async () => {
    // The JS SDK fills in LocationConstraint from its region, so the request is made by hand.
    const res = await raw({
      method: 'PUT',
      path: '/no-constraint',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=k/20260101/eu-west-1/s3/aws4_request, Signature=0',
      },
    });
    expect([res.status, res.body]).toEqual([
      400,
      expect.stringContaining('<Code>IllegalLocationConstraintException</Code>'),
    ]);
  });

  it('DeleteObject answers 204 whether or not the key exists; DeleteObjects reports each key, or none when Quiet', async () => {
    // Prepare
    const s3 = await withBucket();
    for (const Key of ['a', 'b', 'c', 'd'])
      await s3.send(new PutObjectCommand({ Bucket: 'site', Key, Body: Key }));
    // Act
    const single = await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'a' }));
    const missing = await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'never-there' }));
    const loud = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'site', Delete: { Objects: [{ Key: 'b' }, { Key: 'zz' }] } }),
    );
    const quiet = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'site', Delete: { Objects: [{ Key: 'c' }], Quiet: true } }),
    );
    // Assess
    expect([single.$metadata.httpStatusCode, missing.$metadata.httpStatusCode]).toEqual([204, 204]);
    expect(loud.Deleted?.map((d) => d.Key)).toEqual(['b', 'zz']);
    expect(quiet.Deleted ?? []).toEqual([]);
    const state = await local().control.state<S3Dump>();
    expect(state.s3.buckets[0]?.objects.map((o) => o.key)).toEqual(['d']);
  });

  it('DeleteObject with If-Match removes the object only while its ETag is the one given (412 otherwise)', async () => {
    // Source: S3 User Guide, "How to perform conditional deletes"
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html): a matching
    // ETag deletes (204 No Content), a different one fails with 412 Precondition Failed.
    // Prepare
    const s3 = await withBucket();
    const first = await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'lease', Body: 'one' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'lease', Body: 'two' }));
    // Act
    const stale = s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'lease', IfMatch: first.ETag }));
    await expect(stale).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    const current = await s3.send(
      new DeleteObjectCommand({ Bucket: 'site', Key: 'lease', IfMatch: second.ETag }),
    );
    // Assess
    expect(current.$metadata.httpStatusCode).toBe(204);
    const state = await local().control.state<S3Dump>();
    expect(state.s3.buckets[0]?.objects).toEqual([]);
  });

  it('records ObjectCreated:Put and ObjectRemoved:Delete events with bucket, key, size, eTag and an increasing sequencer', async () => {
    // Prepare
    const s3 = await withBucket();
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'docs/a b.html', Body: 'abc' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'docs/a b.html' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'docs/a b.html' }));
    // Assess
    const { events } = (await local().control.state<S3Dump>()).s3;
    expect(events).toMatchObject([
      {
        eventName: 'ObjectCreated:Put',
        bucket: 'site',
        key: 'docs/a b.html',
        size: 3,
        eTag: '900150983cd24fb0d6963f7d28e17f72',
      },
      { eventName: 'ObjectRemoved:Delete', bucket: 'site', key: 'docs/a b.html' },
    ]);
    const [first, second] = events;
    expect((first?.sequencer ?? '') < (second?.sequencer ?? '')).toBe(true);
  });

  it('seeds buckets with objects (no events) and rejects an invalid bucket name in a seed', async () => {
    const { control } = local();
    const created = await control.seed({
      s3: {
        buckets: [
          { name: 'seeded', objects: [{ key: 'index.html', body: '<h1>', contentType: 'text/html' }] },
        ],
      },
    });
    expect(created).toEqual({ s3: { buckets: [{ name: 'seeded', region: 'us-east-1', objects: 1 }] } });
    const got = await client().send(new GetObjectCommand({ Bucket: 'seeded', Key: 'index.html' }));
    expect([await got.Body?.transformToString(), got.ContentType]).toEqual(['<h1>', 'text/html']);
    expect((await control.state<S3Dump>()).s3.events).toEqual([]);
    await expect(control.seed({ s3: { buckets: [{ name: 'Bad_Name' }] } })).rejects.toThrow(/Bad_Name/);
  });

  it('answers an unimplemented subresource with NotImplemented, never a 500 with a stack', async () => {
    await withBucket();
    const res = await raw({ method: 'GET', path: '/site?acl' });
    expect(res.status).toBe(501);
    expect(res.body).toContain('<Code>NotImplemented</Code>');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('stores keys with dot segments exactly as sent (no URL normalisation)', async () => {
    // Prepare
    const s3 = await withBucket();
    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'x/./y.html', Body: 'dot' }));
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a/../b.html', Body: 'dotdot' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'site' }));
    // Assess
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/../b.html', 'x/./y.html']);
  });
});
