import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError } from './aws-error.ts';
import type { LocalCloud } from './cloud.ts';

export interface LocalRequest {
  method: string;
  /** Path without the query string, percent-decoding left to the service. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Region from the SigV4 credential scope (us-east-1 when unsigned). */
  region: string;
  host: string;
  requestId: string;
}

export interface LocalResponse {
  status: number;
  /**
   * Close the connection without an answer: what a client sees for an endpoint that does
   * not exist (the SDK gets a network error, not a service error).
   */
  dropConnection?: true;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Operation {
  action: string;
  run: () => LocalResponse | Promise<LocalResponse>;
}

/**
 * One AWS service of the local cloud. `route` finds the operation (and throws the
 * service's own error for an unknown one); `renderError` writes errors in the
 * service's wire format.
 */
export interface LocalService {
  name: string;
  /** Regional services see the caller's region; global ones (CloudFront) see us-east-1. */
  global?: boolean;
  route(req: LocalRequest, cloud: LocalCloud): Operation;
  renderError(error: AwsError, req: LocalRequest): LocalResponse;
  /** Seeds resources from the control API; returns what was created. */
  seed?(cloud: LocalCloud, input: unknown): unknown;
  /** A JSON view of the service's state for the control API. */
  dump?(cloud: LocalCloud): unknown;
  /**
   * Control routes of the service under `/_shipyard/` (e.g. `POST /schedules/fire`):
   * `subpath` starts with `/`, `body` is the parsed JSON body. Returns undefined for a
   * route it does not own. Throwing a ZodError or an AwsError answers 400. `query` is the
   * route's query string (GET routes take their parameters there).
   */
  control?(
    cloud: LocalCloud,
    method: string,
    subpath: string,
    body: unknown,
    query: URLSearchParams,
  ): LocalResponse | Promise<LocalResponse> | undefined;
}
