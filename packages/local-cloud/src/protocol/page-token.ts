import { AwsError } from '../aws-error.ts';

/**
 * Opaque pagination tokens: the offset into a listing plus the listing's name, so a token
 * from one listing is rejected by another (as AWS rejects foreign tokens).
 */
const encodePageToken = (scope: string, offset: number): string =>
  Buffer.from(JSON.stringify({ s: scope, o: offset }), 'utf8').toString('base64url');

export const decodePageToken = (
  scope: string,
  token: string | undefined,
  invalid: () => AwsError,
): number => {
  if (token === undefined || token === '') return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'o' in parsed &&
      's' in parsed &&
      parsed.s === scope &&
      typeof parsed.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0
    )
      return parsed.o;
  } catch {
    // falls through to the service's own error
  }
  throw invalid();
};

/** One page of `items` from `offset`, with the token of the next page when there is one. */
export const pageOf = <T>(
  items: readonly T[],
  scope: string,
  offset: number,
  max: number,
): { page: T[]; nextToken?: string } => {
  const page = items.slice(offset, offset + max);
  const next = offset + page.length;
  return next < items.length ? { page, nextToken: encodePageToken(scope, next) } : { page };
};

export const invalidTokenError = (code = 'InvalidToken'): AwsError =>
  new AwsError(code, 'Invalid pagination token');
