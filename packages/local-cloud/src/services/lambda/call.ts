import type { LocalCloud } from '../../cloud.ts';
import type { LocalRequest } from '../../service.ts';

/** What every Lambda REST operation receives: the cloud, the request, the function named in its path. */
export interface LambdaCall {
  cloud: LocalCloud;
  req: LocalRequest;
  /** The `{FunctionName}` path segment, decoded. */
  name: string;
}
