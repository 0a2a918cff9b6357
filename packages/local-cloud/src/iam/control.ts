import * as z from 'zod';
import type { LocalCloud } from '../cloud.ts';
import type { LocalResponse } from '../service.ts';
import { IAM_MODES, type IamMode } from './modes.ts';
import { parsePolicyDocument } from './policy.ts';
import { iamStore, roleNameOf } from './store.ts';

/**
 * Control routes of IAM mode: the deployer registers the template's roles and policies here;
 * tests and `npm run local` switch the mode and read the denials.
 */
const RoleInput = z
  .object({
    arn: z.string().startsWith('arn:'),
    policies: z.array(z.object({ name: z.string().min(1), document: z.unknown() }).strict()).default([]),
    managedPolicyArns: z.array(z.string()).default([]),
  })
  .strict();
const PolicyInput = z
  .object({
    kind: z.enum(['managed', 'inline']),
    /** The managed policy's ARN, or the AWS::IAM::Policy's id. */
    id: z.string().min(1),
    document: z.unknown(),
    roles: z.array(z.string()).default([]),
  })
  .strict();
const ModeInput = z.object({ mode: z.enum(IAM_MODES as [IamMode, ...IamMode[]]) }).strict();

const json = (body: unknown): LocalResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const dumpIam = (cloud: LocalCloud) => {
  const store = iamStore(cloud);
  return {
    mode: cloud.iamMode,
    roles: [...store.roles.values()].map((r) => ({
      arn: r.arn,
      inline: [...r.inline.keys()],
      managedPolicyArns: [...r.managed],
    })),
    denials: store.denials,
    unmapped: store.unmapped,
  };
};

export const iamControl = (cloud: LocalCloud, method: string, subpath: string, body: unknown) => {
  const store = iamStore(cloud);
  if (method === 'POST' && subpath === '/iam/roles') {
    const input = RoleInput.parse(body);
    const inline = new Map(input.policies.map((p) => [p.name, parsePolicyDocument(p.document)]));
    store.roles.set(input.arn, {
      arn: input.arn,
      name: roleNameOf(input.arn),
      inline,
      managed: new Set(input.managedPolicyArns),
    });
    return json({ arn: input.arn, policies: [...inline.keys()] });
  }
  if (method === 'POST' && subpath === '/iam/policies') {
    const input = PolicyInput.parse(body);
    const policy = { document: parsePolicyDocument(input.document), roles: input.roles };
    (input.kind === 'managed' ? store.managedPolicies : store.rolePolicies).set(input.id, policy);
    return json({ id: input.id, roles: input.roles });
  }
  if (method === 'POST' && subpath === '/iam/mode') {
    cloud.iamMode = ModeInput.parse(body).mode;
    return json({ mode: cloud.iamMode });
  }
  if (method === 'GET' && subpath === '/iam') return json(dumpIam(cloud));
  return undefined;
};
