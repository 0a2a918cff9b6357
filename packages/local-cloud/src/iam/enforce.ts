import { AwsError } from '../aws-error.ts';
import type { LocalCloud } from '../cloud.ts';
import type { LocalRequest } from '../service.ts';
import { UnsupportedConditionOperator } from './conditions.ts';
import { denialError, unmappedError } from './denial.ts';
import { type AuthorizationRequest, evaluate } from './evaluate.ts';
import type { PolicyDocument } from './policy.ts';
import { MAPPINGS } from './requests/index.ts';
import { iamStore, type RoleSession, sessionArn } from './store.ts';

/** The role session a request's access key id belongs to; undefined for any other caller (admin). */
export const roleSessionOf = (cloud: LocalCloud, accessKeyId: string | undefined): RoleSession | undefined =>
  accessKeyId === undefined ? undefined : iamStore(cloud).sessions.get(accessKeyId);

/** A role whose policies cannot all be read: evaluating it would answer differently from AWS (501, loud). */
const unevaluable = (message: string) => new AwsError('LocalIamUnevaluableRole', message, 501);

const policiesOf = (cloud: LocalCloud, roleArn: string): PolicyDocument[] => {
  const store = iamStore(cloud);
  const role = store.roles.get(roleArn);
  if (!role) throw unevaluable(`IAM mode: the role ${roleArn} was not deployed to the local cloud`);
  const managed = [...role.managed].map((arn) => {
    const policy = store.managedPolicies.get(arn);
    if (!policy)
      throw unevaluable(
        `IAM mode: ${roleArn} attaches the managed policy ${arn}, which the deployed template does not define`,
      );
    return policy.document;
  });
  const naming = [...store.managedPolicies.values(), ...store.rolePolicies.values()]
    .filter((p) => p.roles.includes(role.name))
    .map((p) => p.document);
  return [...role.inline.values(), ...managed, ...naming];
};

/** evaluate(), with a condition operator it does not implement answered 501 (loud, not retried). */
const decide = (policies: PolicyDocument[], request: AuthorizationRequest) => {
  try {
    return evaluate(policies, request);
  } catch (error) {
    if (error instanceof UnsupportedConditionOperator)
      throw new AwsError('LocalIamUnsupportedCondition', error.message, 501);
    throw error;
  }
};

/** Global condition keys of every request (IAM User Guide, "AWS global condition context keys"). */
const withGlobalKeys = (
  cloud: LocalCloud,
  session: RoleSession,
  req: LocalRequest,
  request: AuthorizationRequest,
) => {
  const context = request.context.copy();
  const now = cloud.now();
  context
    .set('aws:PrincipalArn', session.roleArn)
    .set('aws:PrincipalAccount', cloud.accountId)
    .set('aws:PrincipalType', 'AssumedRole')
    .set('aws:userid', `${session.roleArn}:${session.sessionName}`)
    .set('aws:RequestedRegion', req.region)
    .set('aws:CurrentTime', new Date(now).toISOString())
    .set('aws:EpochTime', String(Math.floor(now / 1000)))
    .set('aws:SecureTransport', 'true');
  return { ...request, context };
};

/**
 * Authorises one call of a role session as IAM would, or throws the service's own denial
 * (an AwsError the service renders). Every authorisation the operation needs must be allowed;
 * an operation without a mapping fails loudly.
 */
export const authorizeCall = (
  cloud: LocalCloud,
  session: RoleSession,
  service: string,
  operation: string,
  req: LocalRequest,
): void => {
  const store = iamStore(cloud);
  const principalArn = sessionArn(cloud, session);
  const mapping = MAPPINGS[service]?.[operation];
  if (!mapping) {
    store.unmapped.push({ service, operation, principal: principalArn });
    throw unmappedError(service, operation);
  }
  const policies = policiesOf(cloud, session.roleArn);
  for (const request of mapping({ cloud, req })) {
    const decision = decide(policies, withGlobalKeys(cloud, session, req, request));
    if (decision.effect === 'Allow') {
      cloud.counters.add(`iam.allowed.${request.action}`);
      continue;
    }
    const explicit = decision.effect === 'ExplicitDeny';
    store.denials.push({
      principal: principalArn,
      action: request.action,
      resource: request.resource,
      service,
      operation,
      reason: explicit ? 'explicit' : 'implicit',
      at: cloud.now(),
    });
    cloud.counters.add('iam.denied');
    throw denialError({
      service,
      principalArn,
      action: request.action,
      resource: request.resource,
      explicit,
    });
  }
};
