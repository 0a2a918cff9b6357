import type { LocalCloud } from '../../cloud.ts';
import { storeObject } from '../s3/objects.ts';
import { type Bucket, recordEvent, s3Store } from '../s3/store.ts';
import { TaskFailure } from './errors.ts';
import { evaluateTemplate } from './payload-template.ts';
import type { ExecutionRecord } from './store.ts';

type Json = Record<string, unknown>;

/**
 * A Map state "failed to read all items as specified by the ItemReader field"
 * (States.ItemReaderFailed, concepts-error-handling "Error names"); catchable and
 * retryable like any Task error. The cause wording is the local cloud's [unconfirmed].
 */
const readerFailed = (cause: string) => new TaskFailure('States.ItemReaderFailed', cause);
/** "A Map state failed to write all results as specified by the ResultWriter field" (States.ResultWriterFailed). */
const writerFailed = (cause: string) => new TaskFailure('States.ResultWriterFailed', cause);

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const bucketOf = (cloud: LocalCloud, name: unknown, fail: (cause: string) => TaskFailure): Bucket => {
  if (typeof name !== 'string' || name === '') throw fail('Parameters.Bucket must be a bucket name');
  const bucket = s3Store(cloud).buckets.get(name);
  if (!bucket)
    throw fail(
      `The specified bucket does not exist (Service: S3, Error Code: NoSuchBucket, Bucket: ${name})`,
    );
  return bucket;
};

/** CSV records: fields split on commas, `"` quoting with `""` escapes, CRLF or LF rows (RFC 4180). */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') quoted = !quoted;
    else if (quoted) field += c;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
};

/** Items of a CSV file: one object per row, keyed by the first row or by ReaderConfig.CSVHeaders. */
const csvItems = (text: string, config: Json): unknown[] => {
  const rows = parseCsv(text);
  const given = config.CSVHeaderLocation === 'GIVEN';
  const headers = given ? config.CSVHeaders : rows.shift();
  if (!Array.isArray(headers) || headers.length === 0)
    throw readerFailed('ReaderConfig.CSVHeaders must list the column names when CSVHeaderLocation is GIVEN');
  return rows.map((r) => Object.fromEntries(headers.map((h, i) => [String(h), r[i] ?? ''])));
};

const parseItems = (text: string, config: Json, where: string): unknown[] => {
  const type = config.InputType;
  try {
    if (type === 'JSON') {
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) throw readerFailed(`${where} does not hold a JSON array`);
      return parsed;
    }
    if (type === 'JSONL')
      return text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
    if (type === 'CSV') return csvItems(text, config);
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    throw readerFailed(
      `${where} is not valid ${String(type)}: ${error instanceof Error ? error.message : error}`,
    );
  }
  throw readerFailed(`ReaderConfig.InputType ${String(type)} is not supported here (JSON, JSONL or CSV)`);
};

const listedItems = (bucket: Bucket, prefix: unknown): unknown[] =>
  [...bucket.objects.values()]
    .filter((o) => typeof prefix !== 'string' || o.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((o) => ({
      Etag: o.etag,
      Key: o.key,
      LastModified: new Date(o.lastModified).toISOString(),
      Size: o.body.length,
      StorageClass: 'STANDARD',
    }));

/**
 * The items an ItemReader names (input-output-itemreader): `arn:aws:states:::s3:getObject`
 * with ReaderConfig.InputType JSON (an array), JSONL or CSV, or `s3:listObjectsV2` (one
 * item per object: Etag, Key, LastModified, Size, StorageClass), capped by MaxItems.
 */
export const readItems = async (
  cloud: LocalCloud,
  reader: Json,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown[]> => {
  const params =
    reader.Parameters === undefined ? {} : await evaluateTemplate(reader.Parameters, input, context);
  if (!isObject(params)) throw readerFailed('ItemReader.Parameters must be an object');
  const config = isObject(reader.ReaderConfig) ? reader.ReaderConfig : {};
  const resource = String(reader.Resource);
  const bucket = bucketOf(cloud, params.Bucket, readerFailed);
  let items: unknown[];
  if (/:s3:getObject$/.test(resource)) {
    const key = params.Key;
    const object = typeof key === 'string' ? bucket.objects.get(key) : undefined;
    if (!object)
      throw readerFailed(
        `The specified key does not exist (Service: S3, Error Code: NoSuchKey, Key: ${String(key)})`,
      );
    items = parseItems(object.body.toString('utf8'), config, `s3://${bucket.name}/${object.key}`);
  } else if (/:s3:listObjectsV2$/.test(resource)) items = listedItems(bucket, params.Prefix);
  else
    throw readerFailed(`ItemReader.Resource ${resource} is not supported (s3:getObject, s3:listObjectsV2)`);
  const max = typeof config.MaxItems === 'number' ? config.MaxItems : undefined;
  return max === undefined ? items : items.slice(0, max);
};

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** One child execution as the result files list it (input-output-resultwriter). */
const resultEntry = (child: ExecutionRecord) => ({
  ExecutionArn: child.arn,
  Input: child.input,
  InputDetails: { Included: true },
  Name: child.name,
  ...(child.output !== undefined ? { Output: child.output, OutputDetails: { Included: true } } : {}),
  ...(child.error !== undefined ? { Error: child.error } : {}),
  ...(child.cause !== undefined ? { Cause: child.cause } : {}),
  RedriveCount: 0,
  RedriveStatus: 'NOT_REDRIVABLE',
  StartDate: iso(child.startDate),
  StateMachineArn: child.stateMachineArn,
  Status: child.status,
  StopDate: iso(child.stopDate),
});

export interface MapRunResults {
  mapRunArn: string;
  children: ExecutionRecord[];
  /** Inputs of the child executions that never started (the Map Run failed first). */
  pending: unknown[];
}

const put = (cloud: LocalCloud, bucket: Bucket, key: string, body: unknown) => {
  const data = Buffer.from(JSON.stringify(body));
  const object = storeObject(cloud, bucket, key, data, { contentType: 'application/json' });
  recordEvent(cloud, bucket, {
    eventName: 'ObjectCreated:Put',
    key,
    size: data.length,
    eTag: object.etag.slice(1, -1),
  });
  return { Key: key, Size: data.length };
};

/**
 * Writes a Map Run's results (input-output-resultwriter): `<Prefix>/<map run id>/` gets
 * SUCCEEDED_0.json, FAILED_0.json (failed, timed out and aborted children) and
 * PENDING_0.json for the groups that have entries, then manifest.json listing them. The
 * Map state's result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` (the manifest).
 */
export const writeResults = async (
  cloud: LocalCloud,
  writer: Json,
  input: unknown,
  context: Record<string, unknown>,
  results: MapRunResults,
): Promise<unknown> => {
  const params =
    writer.Parameters === undefined ? {} : await evaluateTemplate(writer.Parameters, input, context);
  if (!isObject(params)) throw writerFailed('ResultWriter.Parameters must be an object');
  const bucket = bucketOf(cloud, params.Bucket, writerFailed);
  const runId = results.mapRunArn.slice(results.mapRunArn.lastIndexOf(':') + 1);
  const prefix =
    typeof params.Prefix === 'string' && params.Prefix !== '' ? params.Prefix.replace(/\/+$/, '') : '';
  const base = prefix === '' ? runId : `${prefix}/${runId}`;
  const groups: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', unknown[]> = {
    SUCCEEDED: results.children.filter((c) => c.status === 'SUCCEEDED').map(resultEntry),
    FAILED: results.children
      .filter((c) => c.status !== 'SUCCEEDED' && c.status !== 'RUNNING')
      .map(resultEntry),
    PENDING: results.pending.map((item) => ({ Input: JSON.stringify(item), Status: 'PENDING' })),
  };
  const files = Object.fromEntries(
    Object.entries(groups).map(([status, entries]) => [
      status,
      entries.length === 0 ? [] : [put(cloud, bucket, `${base}/${status}_0.json`, entries)],
    ]),
  );
  const manifestKey = `${base}/manifest.json`;
  put(cloud, bucket, manifestKey, {
    DestinationBucket: bucket.name,
    MapRunArn: results.mapRunArn,
    ResultFiles: files,
  });
  return { MapRunArn: results.mapRunArn, ResultWriterDetails: { Bucket: bucket.name, Key: manifestKey } };
};
