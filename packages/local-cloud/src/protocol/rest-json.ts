import { AwsError } from '../aws-error.ts';
import type { LocalRequest, LocalResponse, Operation } from '../service.ts';

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

/** A REST-JSON route: method, path pattern (the resource name is its one capture), operation, handler. */
export type RestJsonRoute<Call> = [
  string,
  RegExp,
  string,
  (call: Call) => LocalResponse | Promise<LocalResponse>,
];

/**
 * Finds the operation of a REST-JSON request in a route table; an unknown method/path gets
 * AWS's UnknownOperationException (404).
 */
export const routeRestJson = <Call>(
  routes: readonly RestJsonRoute<Call>[],
  req: LocalRequest,
  callFor: (name: string) => Call,
): Operation => {
  for (const [method, pattern, action, handler] of routes) {
    if (method !== req.method) continue;
    const match = pattern.exec(req.rawPath);
    if (!match) continue;
    const call = callFor(decodeURIComponent(match[1] ?? ''));
    return { action, run: () => handler(call) };
  }
  throw new AwsError('UnknownOperationException', `Unknown operation ${req.method} ${req.rawPath}`, 404);
};
