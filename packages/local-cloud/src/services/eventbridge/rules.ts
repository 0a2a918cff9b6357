import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { jsonAction } from '../../protocol/aws-json.ts';
import type { TargetOutcome } from '../targets/outcome.ts';
import type { TargetInput } from './input.ts';
import { checkPattern, PatternError } from './pattern.ts';

/** EventBridge rules and targets (PutRule, PutTargets, List…, Describe…, Remove…, Delete…, Enable/Disable). */
interface RuleTarget extends TargetInput {
  Id: string;
  Arn: string;
  RoleArn?: string;
}

export interface Rule {
  name: string;
  arn: string;
  region: string;
  eventBusName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: Map<string, RuleTarget>;
}

/** One event delivered (or not) to one target of a matching rule. */
export interface RuleDelivery extends TargetOutcome {
  eventId: string;
  rule: string;
  targetId: string;
}

interface RuleStore {
  rules: Map<string, Rule>;
  deliveries: RuleDelivery[];
}

export const ruleStore = (cloud: LocalCloud): RuleStore =>
  cloud.store('events.rules', () => ({ rules: new Map(), deliveries: [] }));

const busNameOf = (nameOrArn: string | undefined): string =>
  nameOrArn === undefined || nameOrArn === '' ? 'default' : (nameOrArn.split(':event-bus/')[1] ?? nameOrArn);

const ruleKey = (region: string, bus: string, name: string) => `${region}/${bus}/${name}`;

const ruleArn = (cloud: LocalCloud, region: string, bus: string, name: string) =>
  `arn:aws:events:${region}:${cloud.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

const notFound = (name: string, bus: string) =>
  new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`, 400);

const findRule = (cloud: LocalCloud, region: string, busRef: string | undefined, name: string): Rule => {
  const bus = busNameOf(busRef);
  const rule = ruleStore(cloud).rules.get(ruleKey(region, bus, name));
  if (!rule) throw notFound(name, bus);
  return rule;
};

const ruleView = (r: Rule) => ({
  Name: r.name,
  Arn: r.arn,
  ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
  ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
  State: r.state,
  ...(r.description !== undefined ? { Description: r.description } : {}),
  EventBusName: r.eventBusName,
});

const NAME = z
  .string()
  .regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');

const putRule = jsonAction({
  input: z.object({
    Name: NAME,
    EventPattern: z.string().optional(),
    ScheduleExpression: z.string().optional(),
    State: z.enum(['ENABLED', 'DISABLED']).optional(),
    Description: z.string().max(512).optional(),
    EventBusName: z.string().optional(),
    RoleArn: z.string().optional(),
    Tags: z.array(z.unknown()).optional(),
  }),
  run: ({ cloud, region, input }) => {
    if (input.EventPattern === undefined && input.ScheduleExpression === undefined)
      throw new AwsError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    if (input.EventPattern !== undefined) {
      try {
        checkPattern(JSON.parse(input.EventPattern));
      } catch (error) {
        if (!(error instanceof PatternError) && !(error instanceof SyntaxError)) throw error;
        throw new AwsError(
          'InvalidEventPatternException',
          `Event pattern is not valid. Reason: ${error.message}`,
        );
      }
    }
    const bus = busNameOf(input.EventBusName);
    const key = ruleKey(region, bus, input.Name);
    const store = ruleStore(cloud);
    const existing = store.rules.get(key);
    const rule: Rule = {
      name: input.Name,
      arn: ruleArn(cloud, region, bus, input.Name),
      region,
      eventBusName: bus,
      state: input.State ?? 'ENABLED',
      targets: existing?.targets ?? new Map(),
      ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
      ...(input.ScheduleExpression !== undefined ? { scheduleExpression: input.ScheduleExpression } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    };
    store.rules.set(key, rule);
    return { RuleArn: rule.arn };
  },
});

const TargetSchema = z
  .object({
    Id: z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/),
    Arn: z.string().min(1),
    RoleArn: z.string().optional(),
    Input: z.string().optional(),
    InputPath: z.string().optional(),
    InputTransformer: z
      .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
      .optional(),
  })
  .loose();

const putTargets = jsonAction({
  input: z.object({
    Rule: NAME,
    EventBusName: z.string().optional(),
    Targets: z.array(TargetSchema).min(1).max(10),
  }),
  run: ({ cloud, region, input }) => {
    const rule = findRule(cloud, region, input.EventBusName, input.Rule);
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const target of input.Targets) {
      const forms = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined);
      if (forms.length > 1) {
        failed.push({
          TargetId: target.Id,
          ErrorCode: 'ValidationException',
          ErrorMessage: 'Only one of Input, InputPath, or InputTransformer must be provided.',
        });
        continue;
      }
      if (!rule.targets.has(target.Id) && rule.targets.size >= 5) {
        failed.push({
          TargetId: target.Id,
          ErrorCode: 'LimitExceededException',
          ErrorMessage: 'The requested resource exceeds the maximum number allowed.',
        });
        continue;
      }
      rule.targets.set(target.Id, target as RuleTarget);
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  },
});

const listRules = jsonAction({
  input: z.object({
    NamePrefix: z.string().optional(),
    EventBusName: z.string().optional(),
    Limit: z.number().optional(),
    NextToken: z.string().optional(),
  }),
  run: ({ cloud, region, input }) => {
    const bus = busNameOf(input.EventBusName);
    const rules = [...ruleStore(cloud).rules.values()]
      .filter(
        (r) => r.region === region && r.eventBusName === bus && r.name.startsWith(input.NamePrefix ?? ''),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    return { Rules: rules.map(ruleView) };
  },
});

const describeRule = jsonAction({
  input: z.object({ Name: NAME, EventBusName: z.string().optional() }),
  run: ({ cloud, region, input }) => ({
    ...ruleView(findRule(cloud, region, input.EventBusName, input.Name)),
    CreatedBy: cloud.accountId,
  }),
});

const listTargetsByRule = jsonAction({
  input: z.object({
    Rule: NAME,
    EventBusName: z.string().optional(),
    Limit: z.number().optional(),
    NextToken: z.string().optional(),
  }),
  run: ({ cloud, region, input }) => ({
    Targets: [...findRule(cloud, region, input.EventBusName, input.Rule).targets.values()],
  }),
});

const removeTargets = jsonAction({
  input: z.object({
    Rule: NAME,
    EventBusName: z.string().optional(),
    Ids: z.array(z.string()).min(1),
    Force: z.boolean().optional(),
  }),
  run: ({ cloud, region, input }) => {
    const rule = findRule(cloud, region, input.EventBusName, input.Rule);
    for (const id of input.Ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },
});

const deleteRule = jsonAction({
  input: z.object({ Name: NAME, EventBusName: z.string().optional(), Force: z.boolean().optional() }),
  run: ({ cloud, region, input }) => {
    const bus = busNameOf(input.EventBusName);
    const store = ruleStore(cloud);
    const rule = store.rules.get(ruleKey(region, bus, input.Name));
    if (!rule) return {};
    if (rule.targets.size > 0)
      throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
    store.rules.delete(ruleKey(region, bus, input.Name));
    return {};
  },
});

const setState = (state: Rule['state']) =>
  jsonAction({
    input: z.object({ Name: NAME, EventBusName: z.string().optional() }),
    run: ({ cloud, region, input }) => {
      findRule(cloud, region, input.EventBusName, input.Name).state = state;
      return {};
    },
  });

export const RULE_ACTIONS = {
  PutRule: putRule,
  PutTargets: putTargets,
  ListRules: listRules,
  DescribeRule: describeRule,
  ListTargetsByRule: listTargetsByRule,
  RemoveTargets: removeTargets,
  DeleteRule: deleteRule,
  EnableRule: setState('ENABLED'),
  DisableRule: setState('DISABLED'),
};

export const dumpRules = (cloud: LocalCloud) => {
  const store = ruleStore(cloud);
  return {
    rules: [...store.rules.values()].map((r) => ({ ...ruleView(r), Targets: [...r.targets.values()] })),
    deliveries: store.deliveries,
  };
};
