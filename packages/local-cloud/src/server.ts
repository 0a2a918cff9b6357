import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from './aws-error.ts';
import { LocalCloud, type LocalCloudOptions } from './cloud.ts';
import { CONTROL_PREFIX, handleControl } from './control.ts';
import { ControlClient } from './control-client.ts';
import { authorizeCall, roleSessionOf } from './iam/enforce.ts';
import { iamModeFromEnvironment } from './iam/mode.ts';
import { startEventPoller } from './pump.ts';
import { credentialScope, serviceForRequest } from './routing.ts';
import type { LocalRequest, LocalResponse } from './service.ts';
import { serviceByName } from './services/index.ts';

export interface StartOptions extends LocalCloudOptions {
  host?: string;
  /** 4566 by default; 0 picks a free port (tests). */
  port?: number;
  /** Largest accepted request body. */
  maxBodyBytes?: number;
  /**
   * Real-time interval of the background pump that delivers S3 notifications and SQS
   * batches of event source mappings (500 ms by default; 0 turns it off).
   */
  pollIntervalMs?: number;
  /** Called for each unexpected internal error (the client gets a clean 500 without a stack). */
  onInternalError?: (error: unknown) => void;
}

export interface RunningLocalCloud {
  url: string;
  port: number;
  cloud: LocalCloud;
  control: ControlClient;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4566;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const DEFAULT_POLL_INTERVAL_MS = 500;

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new AwsError('RequestEntityTooLarge', `Request body exceeds ${limit} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, response: LocalResponse): void => {
  if (response.dropConnection) {
    res.socket?.destroy();
    return;
  }
  const body = response.body ?? '';
  const headers: Record<string, string | number> = { ...response.headers };
  if (!('content-length' in headers)) headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(response.status, headers);
  res.end(body);
};

const rawPathOf = (requestUrl: string): string => {
  const end = requestUrl.search(/[?#]/);
  const path = end < 0 ? requestUrl : requestUrl.slice(0, end);
  // An absolute-form request target (proxies) carries scheme and host: keep the path only.
  return /^https?:\/\//.test(path) ? new URL(path).pathname : path || '/';
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const createRequestListener = (cloud: LocalCloud, options: StartOptions = {}) => {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    // WHATWG URL parsing collapses dot segments (`a/./b`); S3 keys and CloudFront paths must
    // reach the services exactly as sent, so the path is taken from the raw request line.
    const rawPath = rawPathOf(req.url ?? '/');
    try {
      const body = await readBody(req, maxBody);
      if (url.pathname.startsWith(CONTROL_PREFIX)) {
        send(res, await handleControl(cloud, req.method ?? 'GET', url, body));
        return;
      }
      const scope = credentialScope(req.headers, url.searchParams);
      const serviceName = serviceForRequest(req.headers, rawPath, scope, body);
      const service = serviceByName.get(serviceName);
      if (!service) {
        send(res, {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            __type: 'UnknownService',
            message: `The local cloud does not implement ${serviceName}`,
          }),
        });
        return;
      }
      const region = service.global ? 'us-east-1' : (scope.region ?? 'us-east-1');
      const localReq: LocalRequest = {
        method: req.method ?? 'GET',
        rawPath,
        query: url.searchParams,
        headers: req.headers,
        body,
        region,
        host: req.headers.host ?? '',
        requestId,
      };
      try {
        const operation = service.route(localReq, cloud);
        cloud.counters.recordCall(service.name, operation.action, region);
        const session = cloud.iamMode === 'enforce' ? roleSessionOf(cloud, scope.accessKeyId) : undefined;
        if (session) authorizeCall(cloud, session, service.name, operation.action, localReq);
        const fault = cloud.faults.decide(service.name, operation.action, region);
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.error) throw fault.error;
        send(res, await operation.run());
      } catch (error) {
        if (error instanceof AwsError) {
          send(res, service.renderError(error, localReq));
          return;
        }
        options.onInternalError?.(error);
        send(
          res,
          service.renderError(new AwsError('InternalError', 'An internal error has occurred', 500), localReq),
        );
      }
    } catch (error) {
      const status = error instanceof AwsError ? error.status : 500;
      const message = error instanceof AwsError ? error.message : 'An internal error has occurred';
      if (!(error instanceof AwsError)) options.onInternalError?.(error);
      if (!res.headersSent)
        send(res, {
          status,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message }),
        });
    }
  };
};

/** Starts the local cloud. `port: 0` for tests; close() when done. */
export const startLocalCloud = async (options: StartOptions = {}): Promise<RunningLocalCloud> => {
  const cloud = new LocalCloud({ ...options, iam: options.iam ?? iamModeFromEnvironment() });
  const server: Server = createServer(createRequestListener(cloud, options));
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  cloud.endpointUrl = url;
  const pollInterval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const stopPoller =
    pollInterval > 0 ? startEventPoller(cloud, pollInterval, options.onInternalError) : () => {};
  return {
    url,
    port,
    cloud,
    control: new ControlClient(url),
    close: () =>
      new Promise<void>((resolve, reject) => {
        stopPoller();
        cloud.dispose();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
};
