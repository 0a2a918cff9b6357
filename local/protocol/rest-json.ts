import type { AwsError } from '../aws-error.ts';
import type { LocalResponse } from '../service.ts';

/** A JSON response as the REST-JSON and awsJson protocols send it. */
export const jsonResponse = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): LocalResponse => ({
  status,
  headers: { 'content-type': contentType, ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

/**
 * REST-JSON errors (Lambda, Scheduler): the code travels in `x-amzn-errortype`, the
 * body carries `Type` and `Message` (Lambda adds `Type: User|Service`).
 */
export const restJsonErrorResponse = (error: AwsError, requestId: string): LocalResponse =>
  jsonResponse(
    error.status,
    { Type: error.status >= 500 ? 'Service' : 'User', Message: error.message, message: error.message },
    { 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code },
  );

/** Parses a JSON request body (`{}` when empty); `malformed` builds the service's error. */
export const parseJsonBody = (body: Buffer, malformed: (detail: string) => AwsError): unknown => {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw malformed(error instanceof Error ? error.message : 'body is not JSON');
  }
};
