import { XMLParser } from 'fast-xml-parser';

/**
 * A tiny SNS query-protocol client for the local cloud (@aws-sdk/client-sns is not a
 * dependency). The Authorization header only carries the credential scope the local
 * cloud routes by; the local cloud does not verify signatures.
 */
class SnsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SnsCallError';
  }
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

export const snsCall = async (
  endpoint: string,
  region: string,
  action: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> => {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=local/20250101/${region}/sns/aws4_request, SignedHeaders=host, Signature=local`,
    },
    body: new URLSearchParams({ Action: action, Version: '2010-03-31', ...params }).toString(),
  });
  const parsed = parser.parse(await res.text()) as Record<string, Record<string, unknown> | undefined>;
  if (!res.ok) {
    const error = (parsed.ErrorResponse?.Error ?? {}) as { Code?: string; Message?: string };
    throw new SnsCallError(
      error.Code ?? String(res.status),
      `SNS ${action}: ${error.Message ?? res.statusText}`,
    );
  }
  return (parsed[`${action}Response`]?.[`${action}Result`] ?? {}) as Record<string, unknown>;
};
