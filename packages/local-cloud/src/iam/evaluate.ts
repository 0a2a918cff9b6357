import { conditionsMatch } from './conditions.ts';
import type { RequestContext } from './context.ts';
import type { PolicyDocument, Statement } from './policy.ts';
import { globMatch } from './wildcards.ts';

/** One authorisation IAM makes: an action on one resource, with its request context. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: RequestContext;
}

export type Decision =
  | { effect: 'Allow'; statement: Statement }
  | { effect: 'ExplicitDeny'; statement: Statement }
  | { effect: 'ImplicitDeny' };

const actionMatches = (s: Statement, action: string): boolean =>
  s.Action
    ? s.Action.some((p) => globMatch(p, action, true))
    : !(s.NotAction ?? []).some((p) => globMatch(p, action, true));

const resourceMatches = (s: Statement, resource: string): boolean =>
  s.Resource
    ? s.Resource.some((p) => globMatch(p, resource))
    : !(s.NotResource ?? []).some((p) => globMatch(p, resource));

const applies = (s: Statement, request: AuthorizationRequest): boolean =>
  actionMatches(s, request.action) &&
  resourceMatches(s, request.resource) &&
  conditionsMatch(s.Condition, request.context);

/**
 * The decision of a principal's identity-based policies, within one account and without
 * resource policies, boundaries, SCPs or session policies (IAM User Guide, "Policy evaluation
 * logic"): an explicit Deny in any applicable statement wins; otherwise an applicable Allow
 * allows; otherwise the request is implicitly denied.
 *
 * @example evaluate([doc], { action: 'ec2:DescribeImages', resource: '*', context }) // { effect: 'Allow', … }
 */
export const evaluate = (policies: readonly PolicyDocument[], request: AuthorizationRequest): Decision => {
  const statements = policies.flatMap((p) => p.statements).filter((s) => applies(s, request));
  const deny = statements.find((s) => s.Effect === 'Deny');
  if (deny) return { effect: 'ExplicitDeny', statement: deny };
  const allow = statements.find((s) => s.Effect === 'Allow');
  return allow ? { effect: 'Allow', statement: allow } : { effect: 'ImplicitDeny' };
};
