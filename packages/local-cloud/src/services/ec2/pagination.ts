import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import { invalidValue } from './errors.ts';
import type { IdIndex } from './id-index.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

const invalidToken = (token: string): AwsError =>
  new AwsError('InvalidPaginationToken', `The pagination token '${token}' is invalid or expired.`);

/** Tokens carry the kind of listing and the last id returned; they never expire. */
const encodeToken = (kind: string, lastId: string): string =>
  Buffer.from(JSON.stringify({ k: kind, a: lastId }), 'utf8').toString('base64url');

const decodeToken = (kind: string, token: string): string => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'k' in parsed &&
      'a' in parsed &&
      parsed.k === kind &&
      typeof parsed.a === 'string'
    )
      return parsed.a;
  } catch {
    // fall through: anything unreadable is an invalid token
  }
  throw invalidToken(token);
};

/** MaxResults within the operation's range; values above the maximum are clamped as AWS documents. */
export const maxResultsParam = (
  params: QueryParams,
  range: { min: number; max: number },
): number | undefined => {
  const value = params.int('MaxResults');
  if (value === undefined) return undefined;
  if (value < range.min)
    throw invalidValue(
      `Value ( ${value} ) for parameter maxResults is invalid. Expecting a value greater than or equal to ${range.min}.`,
    );
  return Math.min(value, range.max);
};

/**
 * One page of the items that match, in id order, starting after the token's cursor. The
 * cursor is an id, not an offset, so items created or deleted between pages neither shift
 * nor repeat the rest; finding it is a binary search, so listing everything page by page
 * costs one pass (plus the look-ahead that decides whether a next page exists).
 */
export const paginate = <T extends { id: string }>(
  index: IdIndex<T>,
  kind: string,
  matches: (item: T) => boolean,
  maxResults: number | undefined,
  nextToken: string | undefined,
): Page<T> => {
  const start =
    nextToken === undefined || nextToken === '' ? 0 : index.indexAfter(decodeToken(kind, nextToken));
  const limit = maxResults ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let position = start;
  for (; position < index.size && items.length < limit; position++) {
    const item = index.at(position);
    if (item && matches(item)) items.push(item);
  }
  const last = items[items.length - 1];
  if (last === undefined || items.length < limit) return { items };
  // Look ahead so the last page carries no token (no empty trailing page).
  for (; position < index.size; position++) {
    const item = index.at(position);
    if (item && matches(item)) return { items, nextToken: encodeToken(kind, last.id) };
  }
  return { items };
};
