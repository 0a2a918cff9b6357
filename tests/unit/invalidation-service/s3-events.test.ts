import { describe, expect, it } from 'vitest';
import { normalizeS3Batch } from '../../../shared/invalidation-service/s3-events.ts';
import { SITES } from './fixtures.ts';

const record = (bucket: string, key: string, eventName = 'ObjectCreated:Put', sequencer = '0A') => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  eventName,
  s3: { bucket: { name: bucket }, object: { key, sequencer } },
});
const message = (messageId: string, ...records: ReturnType<typeof record>[]) => ({
  messageId,
  body: JSON.stringify({ Records: records }),
});

describe('normalizeS3Batch', () => {
  it('decodes form-encoded keys and groups a batch by site', () => {
    // Prepare
    const batch = [
      message('m1', record('web-bucket', 'site/docs/my+page%C3%A9.html')),
      message('m2', record('web-bucket', 'blog/post%2B1.html', 'ObjectRemoved:Delete')),
      message('m3', record('web-bucket', 'site/index.html')),
    ];
    // Act
    const result = normalizeS3Batch(batch, SITES);
    // Assess
    expect(result.malformed).toEqual([]);
    expect(result.changeSets.map((c) => [c.changeSet.site, c.changeSet.changes, c.messageIds])).toEqual([
      [
        'web',
        [
          { key: 'site/docs/my pageé.html', change: 'modified' },
          { key: 'site/index.html', change: 'modified' },
        ],
        ['m1', 'm3'],
      ],
      ['blog', [{ key: 'blog/post+1.html', change: 'deleted' }], ['m2']],
    ]);
  });

  it('derives the same deploy id whatever the order of the messages', () => {
    const a = normalizeS3Batch(
      [message('m1', record('docs-bucket', 'a')), message('m2', record('docs-bucket', 'b'))],
      SITES,
    );
    const b = normalizeS3Batch(
      [message('m2', record('docs-bucket', 'b')), message('m1', record('docs-bucket', 'a'))],
      SITES,
    );
    const c = normalizeS3Batch([message('m3', record('docs-bucket', 'a'))], SITES);
    expect(a.changeSets[0]?.changeSet.deployId).toMatch(/^s3-[0-9a-f]{24}$/);
    expect(b.changeSets[0]?.changeSet.deployId).toBe(a.changeSets[0]?.changeSet.deployId);
    expect(c.changeSets[0]?.changeSet.deployId).not.toBe(a.changeSets[0]?.changeSet.deployId);
  });

  it('derives the deploy id from the object events, so S3 duplicates in other messages bill nothing', () => {
    // Prepare: S3 delivers an event twice, in two SQS messages (other ids, possibly other batches)
    const first = normalizeS3Batch(
      [message('m1', record('docs-bucket', 'a.html', 'ObjectCreated:Put', '0A1'))],
      SITES,
    );
    const duplicate = normalizeS3Batch(
      [
        message('m7', record('docs-bucket', 'a.html', 'ObjectCreated:Put', '0A1')),
        message('m8', record('docs-bucket', 'a.html', 'ObjectCreated:Put', '0A1')),
      ],
      SITES,
    );
    // A new upload of the same key is a new event (new sequencer): a new deploy
    const reupload = normalizeS3Batch(
      [message('m1', record('docs-bucket', 'a.html', 'ObjectCreated:Put', '0A2'))],
      SITES,
    );
    // Without a sequencer nothing names the event but its message: never merged with another one
    const bare = (id: string) =>
      normalizeS3Batch([message(id, record('docs-bucket', 'a.html', 'ObjectCreated:Put', ''))], SITES)
        .changeSets[0]?.changeSet.deployId;
    // Assess
    const id = first.changeSets[0]?.changeSet.deployId;
    expect(id).toMatch(/^s3-[0-9a-f]{24}$/);
    expect(duplicate.changeSets[0]?.changeSet.deployId).toBe(id);
    expect(reupload.changeSets[0]?.changeSet.deployId).not.toBe(id);
    expect(bare('m1')).not.toBe(bare('m2'));
    expect(bare('m1')).toBe(bare('m1'));
  });

  it('ignores the object events of a site with s3Events: false (CI announces its releases)', () => {
    // Prepare: 'blog' shares web-bucket with 'web' but is announced by CI
    const sites = SITES.map((s) => (s.name === 'blog' ? { ...s, s3Events: false } : s));
    // Act
    const result = normalizeS3Batch(
      [
        message('m1', record('web-bucket', 'blog/post.html')),
        message('m2', record('web-bucket', 'site/a.html')),
      ],
      sites,
    );
    // Assess
    expect(result.changeSets.map((c) => [c.changeSet.site, c.messageIds])).toEqual([['web', ['m2']]]);
    expect(result.ignored).toEqual([
      { messageId: 'm1', reason: 's3://web-bucket/blog/post.html: site blog has s3Events: false' },
    ]);
  });

  it('keeps the last event of a key by sequencer', () => {
    const result = normalizeS3Batch(
      [
        message('m1', record('docs-bucket', 'a.html', 'ObjectCreated:Put', '0000B')),
        message('m2', record('docs-bucket', 'a.html', 'ObjectRemoved:Delete', '000A')),
      ],
      SITES,
    );
    expect(result.changeSets[0]?.changeSet.changes).toEqual([{ key: 'a.html', change: 'modified' }]);
  });

  it('acknowledges the s3:TestEvent, foreign buckets and non-content events without a change set', () => {
    const result = normalizeS3Batch(
      [
        {
          messageId: 't',
          body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'web-bucket' }),
        },
        message('f', record('other-bucket', 'a.html')),
        message('g', record('docs-bucket', 'a.html', 'ObjectTagging:Put')),
      ],
      SITES,
    );
    expect(result.changeSets).toEqual([]);
    expect(result.malformed).toEqual([]);
    expect(result.ignored).toEqual([
      { messageId: 't', reason: 's3:TestEvent' },
      {
        messageId: 'g',
        reason: 'body.Records[0].eventName: ObjectTagging:Put does not change served content',
      },
    ]);
    expect(result.unclaimed).toEqual([{ messageId: 'f', bucket: 'other-bucket', key: 'a.html' }]);
  });

  it('unwraps S3 notifications delivered through SNS', () => {
    const inner = JSON.stringify({ Records: [record('docs-bucket', 'x.html')] });
    const result = normalizeS3Batch(
      [{ messageId: 's', body: JSON.stringify({ Type: 'Notification', Message: inner }) }],
      SITES,
    );
    expect(result.changeSets[0]?.changeSet.changes).toEqual([{ key: 'x.html', change: 'modified' }]);
  });

  it.each([
    ['not JSON', '{nope', 'malformed s3 event: body: not JSON'],
    [
      'no Records',
      JSON.stringify({ hello: 1 }),
      'malformed s3 event: body.Records: Invalid input: expected array, received undefined',
    ],
    [
      'a record without a key',
      JSON.stringify({
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: 'b' }, object: {} },
          },
        ],
      }),
      'malformed s3 event: body.Records[0].s3.object.key: Invalid input: expected string, received undefined',
    ],
    [
      'a badly encoded key',
      JSON.stringify({ Records: [record('web-bucket', 'site/100%.html')] }),
      `malformed s3 event: body.Records[0].s3.object.key: invalid S3 event key "site/100%.html": expected URL-encoded UTF-8 ('+' for space, '%XX' escapes)`,
    ],
  ])('reports a message with %s as malformed, naming the field', (_name, body, expected) => {
    // Act
    const result = normalizeS3Batch(
      [{ messageId: 'bad', body }, message('ok', record('docs-bucket', 'a.html'))],
      SITES,
    );
    // Assess
    expect(result.malformed.map((m) => [m.messageId, m.error.name, m.error.message])).toEqual([
      ['bad', 'MalformedEventError', expected],
    ]);
    expect(result.changeSets.map((c) => c.messageIds)).toEqual([['ok']]);
  });
});
