import {
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { created, optionalString, type ResourceHandler } from '../context.ts';

/** The rule, then its targets; targets a previous deploy left and the template no longer has are removed. */
export const deployRule: ResourceHandler = async (ctx, resource) => {
  const name = resource.physical.ref;
  const pattern = resource.properties.EventPattern;
  const bus = optionalString(resource, 'EventBusName');
  const description = optionalString(resource, 'Description');
  const schedule = optionalString(resource, 'ScheduleExpression');
  await ctx.clients.events.send(
    new PutRuleCommand({
      Name: name,
      ...(pattern !== undefined
        ? { EventPattern: typeof pattern === 'string' ? pattern : JSON.stringify(pattern) }
        : {}),
      ...(schedule ? { ScheduleExpression: schedule } : {}),
      State: (optionalString(resource, 'State') ?? 'ENABLED') as 'ENABLED' | 'DISABLED',
      ...(description !== undefined ? { Description: description } : {}),
      ...(bus ? { EventBusName: bus } : {}),
    }),
  );
  const targets = (resource.properties.Targets ?? []) as Target[];
  const { Targets: existing = [] } = await ctx.clients.events.send(
    new ListTargetsByRuleCommand({ Rule: name, ...(bus ? { EventBusName: bus } : {}) }),
  );
  const stale = existing
    .map((t) => t.Id)
    .filter((id): id is string => !!id && !targets.some((t) => t.Id === id));
  if (stale.length > 0)
    await ctx.clients.events.send(
      new RemoveTargetsCommand({ Rule: name, Ids: stale, ...(bus ? { EventBusName: bus } : {}) }),
    );
  if (targets.length > 0) {
    const out = await ctx.clients.events.send(
      new PutTargetsCommand({ Rule: name, Targets: targets, ...(bus ? { EventBusName: bus } : {}) }),
    );
    if (out.FailedEntryCount)
      throw new Error(
        `PutTargets: ${(out.FailedEntries ?? []).map((f) => `${f.TargetId}: ${f.ErrorMessage}`).join('; ')}`,
      );
  }
  const note = schedule
    ? 'schedule rules are stored but not fired locally (use AWS::Scheduler::Schedule)'
    : undefined;
  return created(
    String(resource.physical.attributes.Arn),
    note ?? `${targets.length} target(s): ${targets.map((t) => t.Arn).join(', ')}`,
  );
};
