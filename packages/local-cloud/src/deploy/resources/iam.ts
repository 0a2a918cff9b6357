import { created, type ResourceHandler } from '../context.ts';
import type { PlannedResource } from '../plan.ts';

/**
 * IAM resources are registered with the local cloud, which evaluates local Lambdas' calls
 * against them in IAM mode (and only records them otherwise).
 */
const rolesOf = (resource: PlannedResource): string[] => {
  const roles = resource.properties.Roles;
  return Array.isArray(roles) ? roles.map(String) : [];
};

export const deployRole: ResourceHandler = async (ctx, resource) => {
  const arn = String(resource.physical.attributes.Arn);
  const policies = (resource.properties.Policies ?? []) as {
    PolicyName?: unknown;
    PolicyDocument?: unknown;
  }[];
  const managed = resource.properties.ManagedPolicyArns;
  await ctx.clients.control.putRole({
    arn,
    policies: policies.map((p) => ({ name: String(p.PolicyName), document: p.PolicyDocument })),
    managedPolicyArns: Array.isArray(managed) ? managed.map(String) : [],
  });
  return created(arn);
};

export const deployManagedPolicy: ResourceHandler = async (ctx, resource) => {
  const arn = resource.physical.ref;
  await ctx.clients.control.putPolicy({
    kind: 'managed',
    id: arn,
    document: resource.properties.PolicyDocument,
    roles: rolesOf(resource),
  });
  return created(arn);
};

export const deployRolePolicy: ResourceHandler = async (ctx, resource) => {
  await ctx.clients.control.putPolicy({
    kind: 'inline',
    id: resource.logicalId,
    document: resource.properties.PolicyDocument,
    roles: rolesOf(resource),
  });
  return created(resource.physical.ref);
};
