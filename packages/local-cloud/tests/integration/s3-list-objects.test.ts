import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const setup = async (keys: string[]) => {
  await local().control.seed({
    s3: { buckets: [{ name: 'site', objects: keys.map((key) => ({ key, body: key })) }] },
  });
  return new S3Client({ ...clientConfig(local().url), maxAttempts: 1 });
};

const put = (s3: S3Client, Key: string) => s3.send(new PutObjectCommand({ Bucket: 'site', Key, Body: Key }));

const listAll = async (s3: S3Client, input: { Prefix?: string; Delimiter?: string; MaxKeys?: number }) => {
  const pages: ListObjectsV2CommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: 'site', ...input, ContinuationToken: token }),
    );
    pages.push(page);
    token = page.NextContinuationToken;
  } while (token);
  return pages;
};

const keysOf = (page: ListObjectsV2CommandOutput) => (page.Contents ?? []).map((c) => c.Key);
const prefixesOf = (page: ListObjectsV2CommandOutput) => (page.CommonPrefixes ?? []).map((c) => c.Prefix);

describe('S3 ListObjectsV2', () => {
  it('lists keys in order with Key, ETag, Size, LastModified, KeyCount and IsTruncated', async () => {
    const s3 = await setup(['b.txt', 'a.txt', 'c/d.txt']);
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'site' }));
    expect(keysOf(out)).toEqual(['a.txt', 'b.txt', 'c/d.txt']);
    expect(out).toMatchObject({ KeyCount: 3, IsTruncated: false, MaxKeys: 1000, Name: 'site', Prefix: '' });
    expect(out.Contents?.[0]).toMatchObject({ Size: 5, ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(out.Contents?.[0]?.LastModified).toBeInstanceOf(Date);
  });

  it('groups keys under CommonPrefixes with prefix + delimiter; common prefixes count toward KeyCount', async () => {
    const s3 = await setup(['docs/a.html', 'docs/img/x.png', 'docs/img/y.png', 'docs/z/q', 'index.html']);
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'site', Prefix: 'docs/', Delimiter: '/' }));
    expect(keysOf(out)).toEqual(['docs/a.html']);
    expect(prefixesOf(out)).toEqual(['docs/img/', 'docs/z/']);
    expect(out.KeyCount).toBe(3);
    expect(out.Delimiter).toBe('/');
  });

  it('pages with max-keys and continuation-token, common prefixes included, each entry exactly once', async () => {
    const s3 = await setup(['a/1', 'a/2', 'a/3', 'b', 'c/1', 'd', 'e']);
    const pages = await listAll(s3, { Delimiter: '/', MaxKeys: 2 });
    expect(pages.map((p) => [keysOf(p), prefixesOf(p), p.KeyCount, p.IsTruncated])).toEqual([
      [['b'], ['a/'], 2, true],
      [['d'], ['c/'], 2, true],
      [['e'], [], 1, false],
    ]);
  });

  it('never skips or repeats a key across pages when keys are added between pages', async () => {
    // Prepare
    const s3 = await setup(['k02', 'k04', 'k06', 'k08']);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'site', MaxKeys: 2 }));
    // Act: one key before the cursor (already passed), one after it (still ahead)
    await put(s3, 'k01');
    await put(s3, 'k07');
    const rest = [];
    let token = first.NextContinuationToken;
    while (token) {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'site', MaxKeys: 2, ContinuationToken: token }),
      );
      rest.push(...keysOf(page));
      token = page.NextContinuationToken;
    }
    // Assess
    expect([...keysOf(first), ...rest]).toEqual(['k02', 'k04', 'k06', 'k07', 'k08']);
  });

  it('start-after lists keys strictly after the given key; a continuation token takes precedence', async () => {
    const s3 = await setup(['a', 'b', 'c', 'd']);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'site', StartAfter: 'b' }));
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'site', StartAfter: 'a', MaxKeys: 1 }));
    const next = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'site',
        StartAfter: 'a',
        MaxKeys: 1,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(keysOf(after)).toEqual(['c', 'd']);
    expect(after.StartAfter).toBe('b');
    expect([keysOf(first), keysOf(next)]).toEqual([['b'], ['c']]);
  });

  it('encoding-type=url encodes Key, Prefix and CommonPrefixes (space as +)', async () => {
    const s3 = await setup(['dir one/a+b.html', 'dir one/sub dir/x', 'é.txt']);
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: 'site', EncodingType: 'url', Prefix: 'dir one/', Delimiter: '/' }),
    );
    expect(out.EncodingType).toBe('url');
    expect(keysOf(out)).toEqual(['dir+one%2Fa%2Bb.html']);
    expect(prefixesOf(out)).toEqual(['dir+one%2Fsub+dir%2F']);
    expect(out.Prefix).toBe('dir+one%2F');
  });

  it('keeps listing in order as keys come and go between listings (ListObjectsV2: ascending key order)', async () => {
    const s3 = await setup(['m', 'c', 'x']);
    expect(keysOf(await s3.send(new ListObjectsV2Command({ Bucket: 'site' })))).toEqual(['c', 'm', 'x']);
    const expected = new Set(['c', 'm', 'x']);
    // A deterministic shuffle of adds and deletes, each followed by a listing.
    for (let n = 0; n < 60; n++) {
      const key = `k${(n * 37) % 23}`;
      if (expected.has(key) && n % 3 === 0) {
        await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: key }));
        expected.delete(key);
      } else {
        await put(s3, key);
        expected.add(key);
      }
      const listed = (await listAll(s3, {})).flatMap(keysOf);
      expect(listed).toEqual([...expected].sort());
    }
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'never-there' }));
    expect((await listAll(s3, {})).flatMap(keysOf)).toEqual([...expected].sort());
  });

  it('orders keys by UTF-8 bytes, as S3 does, not by UTF-16 code units', async () => {
    const s3 = await setup(['\u{1F600}', '\uFFFD', 'z']);
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'site' }));
    expect(keysOf(out)).toEqual(['z', '\uFFFD', '\u{1F600}']);
  });

  it('rejects a forged continuation token and a bad max-keys with InvalidArgument; unknown bucket → NoSuchBucket', async () => {
    const s3 = await setup(['a']);
    await expect(
      s3.send(new ListObjectsV2Command({ Bucket: 'site', ContinuationToken: 'not-a-token' })),
    ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    const res = await fetch(`${local().url}/site?list-type=2&max-keys=many`);
    expect([res.status, await res.text()]).toEqual([
      400,
      expect.stringContaining('<Code>InvalidArgument</Code>'),
    ]);
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});
