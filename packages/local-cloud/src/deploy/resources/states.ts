import { CreateScheduleCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { created, errorName, optionalString, type ResourceHandler, stringProp } from '../context.ts';
import type { PlannedResource } from '../plan.ts';

/** The definition as a string, with DefinitionSubstitutions applied as CloudFormation does. */
const definitionOf = (resource: PlannedResource): string => {
  const raw = resource.properties.DefinitionString ?? resource.properties.Definition;
  if (raw === undefined)
    throw new Error(
      `${resource.logicalId}: no DefinitionString or Definition (S3 definitions are not read locally)`,
    );
  let text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const substitutions = (resource.properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(substitutions))
    text = text.replaceAll(`\${${key}}`, String(value));
  return text;
};

export const deployStateMachine: ResourceHandler = async (ctx, resource) => {
  const arn = resource.physical.ref;
  const definition = definitionOf(resource);
  const roleArn = stringProp(resource, 'RoleArn');
  const type = (optionalString(resource, 'StateMachineType') ?? 'STANDARD') as 'STANDARD' | 'EXPRESS';
  try {
    await ctx.clients.sfn.send(
      new CreateStateMachineCommand({
        name: String(resource.physical.attributes.Name),
        definition,
        roleArn,
        type,
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'StateMachineAlreadyExists') throw error;
    await ctx.clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn }));
  }
  return created(arn);
};

const toDate = (value: unknown): Date | undefined =>
  typeof value === 'string' ? new Date(value) : undefined;

export const deploySchedule: ResourceHandler = async (ctx, resource) => {
  const name = resource.physical.ref;
  const p = resource.properties;
  const input = {
    Name: name,
    ...(optionalString(resource, 'GroupName') ? { GroupName: optionalString(resource, 'GroupName') } : {}),
    ScheduleExpression: stringProp(resource, 'ScheduleExpression'),
    ...(optionalString(resource, 'ScheduleExpressionTimezone')
      ? { ScheduleExpressionTimezone: optionalString(resource, 'ScheduleExpressionTimezone') }
      : {}),
    FlexibleTimeWindow: p.FlexibleTimeWindow as { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number },
    Target: p.Target as { Arn: string; RoleArn: string; Input?: string },
    ...(optionalString(resource, 'State')
      ? { State: optionalString(resource, 'State') as 'ENABLED' | 'DISABLED' }
      : {}),
    ...(optionalString(resource, 'Description') !== undefined
      ? { Description: optionalString(resource, 'Description') }
      : {}),
    ...(toDate(p.StartDate) ? { StartDate: toDate(p.StartDate) } : {}),
    ...(toDate(p.EndDate) ? { EndDate: toDate(p.EndDate) } : {}),
  };
  try {
    await ctx.clients.scheduler.send(new CreateScheduleCommand(input));
  } catch (error) {
    if (errorName(error) !== 'ConflictException') throw error;
    await ctx.clients.scheduler.send(new UpdateScheduleCommand(input));
  }
  return created(
    String(resource.physical.attributes.Arn),
    `${input.ScheduleExpression} ${input.ScheduleExpressionTimezone ?? 'UTC'} -> ${input.Target.Arn}`,
  );
};
