import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { botocoreEnv, clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

/**
 * Wire fidelity: one S3 scenario through the AWS SDK for JavaScript v3 and through boto3,
 * each against a freshly reset local cloud, must yield the same transcript (ETags, pages,
 * keys, error codes); `aws s3api list-objects-v2` must page to the same keys.
 */

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./s3_scenario.py', import.meta.url));
const KEYS = [
  'index.html',
  'docs/a b.html',
  'docs/img/logo+1.png',
  'docs/img/ünï.png',
  'docs/z.html',
  'top.css',
];
const local = useLocalCloud({ clock: { speed: 0 } });

const env = (url: string) => botocoreEnv(url, { AWS_DEFAULT_REGION: 'us-east-1' });

const code = async (call: () => Promise<unknown>) => {
  try {
    await call();
    return 'none';
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    // For HEAD, S3 sends no body: the JS SDK names the error NotFound, botocore uses the status.
    const name = e.name === 'NotFound' ? '404' : e.name;
    return [name, e.$metadata?.httpStatusCode];
  }
};

const jsScenario = async (s3: S3Client) => {
  const pages = async (params: Partial<ListObjectsV2CommandInput> = {}) => {
    const out = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'conformance', MaxKeys: 2, ...params, ContinuationToken: token }),
      );
      out.push({
        keys: (page.Contents ?? []).map((c) => c.Key),
        etags: (page.Contents ?? []).map((c) => c.ETag),
        sizes: (page.Contents ?? []).map((c) => c.Size),
        prefixes: (page.CommonPrefixes ?? []).map((p) => p.Prefix),
        keyCount: page.KeyCount,
        truncated: page.IsTruncated,
      });
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };
  const t: Record<string, unknown> = {};
  await s3.send(new CreateBucketCommand({ Bucket: 'conformance' }));
  t.recreate = await code(() => s3.send(new CreateBucketCommand({ Bucket: 'conformance' })));
  t.badName = await code(() => s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
  t.puts = [];
  for (const Key of KEYS) {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'conformance', Key, Body: `body of ${Key}`, ContentType: 'text/plain' }),
    );
    (t.puts as unknown[]).push(put.ETag);
  }
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'conformance', Key: 'docs/a b.html' }));
  t.head = [head.ContentLength, head.ContentType, head.ETag];
  const got = await s3.send(new GetObjectCommand({ Bucket: 'conformance', Key: 'docs/img/ünï.png' }));
  t.get = [await got.Body?.transformToString(), got.ContentType, got.ETag];
  t.flatPages = await pages();
  t.delimitedPages = await pages({ Delimiter: '/' });
  t.prefixPages = await pages({ Prefix: 'docs/img/' });
  t.startAfter = (
    await s3.send(new ListObjectsV2Command({ Bucket: 'conformance', StartAfter: 'docs/z.html' }))
  ).Contents?.map((c) => c.Key);
  t.missingKey = await code(() => s3.send(new GetObjectCommand({ Bucket: 'conformance', Key: 'nope' })));
  t.headMissing = await code(() => s3.send(new HeadObjectCommand({ Bucket: 'conformance', Key: 'nope' })));
  t.missingBucket = await code(() => s3.send(new ListObjectsV2Command({ Bucket: 'absent' })));
  await s3.send(new DeleteObjectCommand({ Bucket: 'conformance', Key: 'top.css' }));
  const deleted = await s3.send(
    new DeleteObjectsCommand({
      Bucket: 'conformance',
      Delete: { Objects: [{ Key: 'index.html' }, { Key: 'never' }] },
    }),
  );
  t.deleted = (deleted.Deleted ?? []).map((d) => d.Key).sort();
  t.left = (await s3.send(new ListObjectsV2Command({ Bucket: 'conformance' }))).Contents?.map((c) => c.Key);
  return t;
};

describe('S3 conformance: JS SDK v3, boto3 and the aws CLI agree', () => {
  it('the same scenario yields the same ETags, pages, keys and error codes through both SDKs', async () => {
    // Prepare
    const { control, url } = local();
    const s3 = new S3Client({ ...clientConfig(url), maxAttempts: 1 });
    // Act
    const js = await jsScenario(s3);
    await control.reset();
    const { stdout } = await run('python3', [SCRIPT], { env: env(url) });
    const python = JSON.parse(stdout) as Record<string, unknown>;
    // Assess
    expect(python).toEqual(js);
    expect(js.delimitedPages).toEqual([
      expect.objectContaining({ keys: ['index.html'], prefixes: ['docs/'], keyCount: 2, truncated: true }),
      expect.objectContaining({ keys: ['top.css'], prefixes: [], keyCount: 1, truncated: false }),
    ]);
    expect(js.left).toEqual(['docs/a b.html', 'docs/img/logo+1.png', 'docs/img/ünï.png', 'docs/z.html']);
  });

  it('`aws s3api list-objects-v2 --bucket B` pages (--page-size 2) to the same keys as the JS SDK', async () => {
    // Prepare
    const { control, url } = local();
    await control.seed({
      s3: {
        buckets: [
          { name: 'site', objects: [...KEYS, 'a/1', 'a/2', 'b c/d'].map((key) => ({ key, body: key })) },
        ],
      },
    });
    const s3 = new S3Client(clientConfig(url));
    const jsKeys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'site', MaxKeys: 2, ContinuationToken: token }),
      );
      jsKeys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    // Act
    const { stdout } = await run(
      'aws',
      ['s3api', 'list-objects-v2', '--bucket', 'site', '--page-size', '2', '--output', 'json'],
      { env: env(url) },
    );
    // Assess
    const cli = JSON.parse(stdout) as { Contents: { Key: string }[] };
    expect(cli.Contents.map((c) => c.Key)).toEqual(jsKeys);
    expect(jsKeys).toHaveLength(KEYS.length + 3);
  });
});
