import type { LocalCloud } from '../../cloud.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import type { InvocationOutcome } from './outcome.ts';
import type { LambdaFunction } from './store.ts';

/**
 * Function URLs of the local cloud are served under one path of the endpoint:
 * `<endpoint>/_functionurl/<region>/<function-name>/<path…>` (on AWS they are a host of
 * their own, `https://<url-id>.lambda-url.<region>.on.aws/<path…>`).
 */
export const FUNCTION_URL_PREFIX = '/_functionurl/';

export const functionUrlFor = (endpoint: string, fn: LambdaFunction): string =>
  `${endpoint}${FUNCTION_URL_PREFIX}${fn.region}/${fn.name}/`;

export const parseFunctionUrlPath = (
  rawPath: string,
): { region: string; name: string; path: string } | undefined => {
  const match = /^\/_functionurl\/([a-z0-9-]+)\/([a-zA-Z0-9_-]+)(\/.*)?$/.exec(rawPath);
  if (!match) return undefined;
  const [, region = '', name = '', path = '/'] = match;
  return { region, name, path };
};

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** The payload format 2.0 event a Function URL sends to its function. */
export const functionUrlEvent = (cloud: LocalCloud, req: LocalRequest, path: string) => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const rawQueryString = req.query.toString();
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(req.query.keys())) queryStringParameters[key] = req.query.getAll(key).join(',');
  const cookieHeader = req.headers.cookie;
  const cookies = cookieHeader ? cookieHeader.split(/;\s*/).filter(Boolean) : undefined;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = cloud.now();
  const host = headers.host ?? req.host;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: req.requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(req.body.length > 0
      ? { body: isText ? req.body.toString('utf8') : req.body.toString('base64'), isBase64Encoded: !isText }
      : { isBase64Encoded: false }),
  };
};

const FunctionUrlResult = (
  value: unknown,
): value is {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
} =>
  typeof value === 'object' &&
  value !== null &&
  'statusCode' in value &&
  typeof value.statusCode === 'number';

/**
 * Maps the function's result to the HTTP response as Function URLs do: a result with
 * `statusCode` is a response description, anything else is a 200 JSON body; a function
 * error is a 502.
 */
export const functionUrlResponse = (outcome: InvocationOutcome): LocalResponse => {
  if (outcome.functionError)
    return {
      status: 502,
      headers: { 'content-type': 'application/json' },
      body: '{"Message":"Internal Server Error"}',
    };
  const result: unknown = JSON.parse(outcome.payload);
  if (!FunctionUrlResult(result)) {
    const body = typeof result === 'string' ? result : outcome.payload;
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', ...result.headers };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies.join(', ');
  const body =
    result.body === undefined
      ? ''
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  return { status: result.statusCode, headers, body };
};
