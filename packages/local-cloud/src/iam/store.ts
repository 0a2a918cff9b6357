import { createHash } from 'node:crypto';
import type { LocalCloud } from '../cloud.ts';
import type { PolicyDocument } from './policy.ts';

interface Role {
  arn: string;
  name: string;
  /** Inline policies by name. */
  inline: Map<string, PolicyDocument>;
  /** Attached managed policy ARNs (their documents live in `managedPolicies`). */
  managed: Set<string>;
}

/** Who a request comes from: a role session (a Lambda's execution role) or an admin caller. */
export interface RoleSession {
  roleArn: string;
  sessionName: string;
}

interface Denial {
  principal: string;
  action: string;
  resource: string;
  service: string;
  operation: string;
  reason: 'implicit' | 'explicit';
  at: number;
}

/** A policy defined apart from a role (AWS::IAM::ManagedPolicy, AWS::IAM::Policy) and the roles it names. */
interface AttachedPolicy {
  document: PolicyDocument;
  roles: string[];
}

interface IamStore {
  roles: Map<string, Role>;
  /** Managed policies by ARN. */
  managedPolicies: Map<string, AttachedPolicy>;
  /** AWS::IAM::Policy resources (inline policies attached from outside the role) by id. */
  rolePolicies: Map<string, AttachedPolicy>;
  /** Access key id → the role session it belongs to. */
  sessions: Map<string, RoleSession>;
  denials: Denial[];
  /** Operations a role session called that IAM mode has no authorisation mapping for. */
  unmapped: { service: string; operation: string; principal: string }[];
}

export const iamStore = (cloud: LocalCloud): IamStore =>
  cloud.store('iam', () => ({
    roles: new Map(),
    managedPolicies: new Map(),
    rolePolicies: new Map(),
    sessions: new Map(),
    denials: [],
    unmapped: [],
  }));

/** `arn:aws:iam::<account>:role/<path><name>` → `<name>`. */
export const roleNameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`: what a role session is called in errors. */
export const sessionArn = (cloud: LocalCloud, session: RoleSession): string =>
  `arn:aws:sts::${cloud.accountId}:assumed-role/${roleNameOf(session.roleArn)}/${session.sessionName}`;

/**
 * A role session's temporary access key id: `ASIA` + 16 characters, as STS issues them
 * (IAM User Guide, "IAM identifiers": ASIA is the prefix of temporary keys), derived from
 * the role and the session so that the same function always gets the same key.
 */
export const startRoleSession = (cloud: LocalCloud, session: RoleSession): string => {
  const digest = createHash('sha256').update(`${session.roleArn}\n${session.sessionName}`).digest('hex');
  const accessKeyId = `ASIA${digest.slice(0, 16).toUpperCase()}`;
  iamStore(cloud).sessions.set(accessKeyId, session);
  return accessKeyId;
};
