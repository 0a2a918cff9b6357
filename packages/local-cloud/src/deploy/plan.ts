import { IntrinsicError, type ResolvedResource, Resolver, referencesOf } from './intrinsics.ts';
import { NAME_PROPERTY, type NamingContext, physicalResource } from './physical-ids.ts';
import type { Template } from './template.ts';

export interface PlannedResource {
  logicalId: string;
  type: string;
  /** Properties with every intrinsic resolved (empty when resolution failed: see `error`). */
  properties: Record<string, unknown>;
  physical: ResolvedResource;
  /** Resources this one refers to or declares DependsOn, created before it. */
  dependsOn: string[];
  /** The resource's Condition is false: CloudFormation would not create it either. */
  conditionFalse?: string;
  /** Why its properties could not be resolved. */
  error?: string;
}

export interface PlanContext extends NamingContext {
  parameters?: Record<string, unknown>;
}

const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const toFunctionArn = (ctx: NamingContext, value: string | undefined): string | undefined =>
  value === undefined || value.startsWith('arn:')
    ? value
    : `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${value}`;

/** Kahn's algorithm, keeping template order among resources that are ready together. */
const topologicalOrder = (ids: string[], edges: Map<string, string[]>): string[] => {
  const remaining = new Map(ids.map((id) => [id, new Set(edges.get(id) ?? [])]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.keys()].filter((id) => remaining.get(id)?.size === 0);
    if (ready.length === 0)
      throw new IntrinsicError(`circular dependency between ${[...remaining.keys()].sort().join(', ')}`);
    for (const id of ready) {
      order.push(id);
      remaining.delete(id);
      for (const deps of remaining.values()) deps.delete(id);
    }
  }
  return order;
};

/**
 * Resolves a template for the local cloud: every resource's Ref/attributes, its resolved
 * properties, and the order to create them in (dependencies first). Pure: nothing is
 * created here.
 */
export const planTemplate = (template: Template, ctx: PlanContext): PlannedResource[] => {
  const resources = template.Resources;
  const parameters: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {}))
    if (spec.Default !== undefined) parameters[name] = spec.Default;
  Object.assign(parameters, ctx.parameters);

  const physical = new Map<string, ResolvedResource>();
  const inProgress = new Set<string>();
  const resolver: Resolver = new Resolver({
    region: ctx.region,
    accountId: ctx.accountId,
    stackName: ctx.stackName,
    parameters,
    conditions: template.Conditions as Record<string, unknown> | undefined,
    mappings: (template as { Mappings?: Record<string, unknown> }).Mappings,
    resource: (id) => {
      const known = physical.get(id);
      if (known) return known;
      const resource = resources[id];
      if (!resource) return undefined;
      if (inProgress.has(id)) throw new IntrinsicError(`the name of ${id} depends on itself`);
      inProgress.add(id);
      try {
        const props = resource.Properties ?? {};
        const nameProperty = NAME_PROPERTY[resource.Type];
        const name =
          nameProperty && props[nameProperty] !== undefined
            ? asText(resolver.resolve(props[nameProperty]))
            : undefined;
        const extra: { targetFunctionArn?: string; group?: string; functionArn?: string } = {};
        if (resource.Type === 'AWS::Lambda::Url')
          extra.targetFunctionArn = toFunctionArn(ctx, asText(resolver.resolve(props.TargetFunctionArn)));
        if (resource.Type === 'AWS::Lambda::Version')
          extra.functionArn = toFunctionArn(ctx, asText(resolver.resolve(props.FunctionName)));
        if (resource.Type === 'AWS::Scheduler::Schedule' && props.GroupName !== undefined)
          extra.group = asText(resolver.resolve(props.GroupName));
        const result = physicalResource(ctx, resource.Type, id, name, extra);
        physical.set(id, result);
        return result;
      } finally {
        inProgress.delete(id);
      }
    },
  });

  const ids = Object.keys(resources);
  const edges = new Map<string, string[]>();
  for (const id of ids) {
    const resource = resources[id];
    const refs = referencesOf(resource?.Properties ?? {});
    const declared = resource?.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    edges.set(
      id,
      [...new Set([...refs, ...declared])].filter((dep) => dep !== id && dep in resources),
    );
  }

  return topologicalOrder(ids, edges).map((logicalId): PlannedResource => {
    const resource = resources[logicalId] ?? { Type: 'Unknown' };
    const dependsOn = edges.get(logicalId) ?? [];
    const base = { logicalId, type: resource.Type, dependsOn };
    try {
      // Resolving its own Ref computes (and memoises) the resource's physical id.
      const own = String(resolver.resolve({ Ref: logicalId }));
      const ref = physical.get(logicalId) ?? { ref: own, attributes: {} };
      if (resource.Condition !== undefined && !resolver.condition(resource.Condition))
        return { ...base, properties: {}, physical: ref, conditionFalse: resource.Condition };
      const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      return { ...base, properties, physical: ref };
    } catch (error) {
      if (!(error instanceof IntrinsicError)) throw error;
      return { ...base, properties: {}, physical: { ref: logicalId, attributes: {} }, error: error.message };
    }
  });
};
