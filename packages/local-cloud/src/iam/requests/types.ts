import type { LocalCloud } from '../../cloud.ts';
import type { LocalRequest } from '../../service.ts';
import type { AuthorizationRequest } from '../evaluate.ts';

/** What an operation's mapping sees: the request as the service will run it, and the account. */
export interface MappingInput {
  cloud: LocalCloud;
  req: LocalRequest;
}

/**
 * The authorisations one operation needs: each IAM action with the ARN it is authorised on
 * and the request's service-specific condition keys (global keys are added by the caller).
 * Every one of them must be allowed.
 */
export type OperationMapping = (input: MappingInput) => AuthorizationRequest[];

/** An action whose authorisation is not resource-level: its Resource is `*` (Service Authorization Reference). */
export const ALL_RESOURCES = '*';
