/**
 * CloudFormation intrinsic functions, resolved locally and purely: Ref, Fn::GetAtt,
 * Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not,
 * Fn::And, Fn::Or, Fn::FindInMap, Fn::Base64 and the pseudo parameters. What a resource
 * "is" (its Ref and attributes) comes from the caller, so the same code serves the
 * deployer and the unit tests.
 */

/** `Ref: AWS::NoValue`: the property is removed, as CloudFormation does. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** An intrinsic that cannot be resolved (unknown resource, attribute, parameter, bad arguments). */
export class IntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicError';
  }
}

export interface ResolvedResource {
  /** What `Ref` returns. */
  ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  attributes: Record<string, unknown>;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  partition?: string;
  stackName: string;
  urlSuffix?: string;
  parameters?: Record<string, unknown>;
  conditions?: Record<string, unknown>;
  mappings?: Record<string, unknown>;
  /** The Ref and attributes of a resource of the template; undefined for an unknown id. */
  resource(logicalId: string): ResolvedResource | undefined;
}

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Cidr',
  'Fn::Transform',
  'Condition',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The single intrinsic a `{ "Fn::X": args }` object stands for, if it is one. */
const intrinsicOf = (value: unknown): [string, unknown] | undefined => {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return INTRINSICS.has(key) ? [key, value[key]] : undefined;
};

const pseudoParameter = (ctx: ResolveContext, name: string): unknown => {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return ctx.partition ?? 'aws';
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return `arn:${ctx.partition ?? 'aws'}:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/00000000-0000-4000-8000-000000000000`;
    case 'AWS::URLSuffix':
      return ctx.urlSuffix ?? 'amazonaws.com';
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
    default:
      return undefined;
  }
};

const refOf = (ctx: ResolveContext, name: string): unknown => {
  if (name.startsWith('AWS::')) {
    const pseudo = pseudoParameter(ctx, name);
    if (pseudo === undefined) throw new IntrinsicError(`Ref: unknown pseudo parameter ${name}`);
    return pseudo;
  }
  if (ctx.parameters && name in ctx.parameters) return ctx.parameters[name];
  const resource = ctx.resource(name);
  if (!resource)
    throw new IntrinsicError(`Ref: ${name} is neither a parameter nor a resource of the template`);
  return resource.ref;
};

const getAttOf = (ctx: ResolveContext, logicalId: string, attribute: string): unknown => {
  const resource = ctx.resource(logicalId);
  if (!resource) throw new IntrinsicError(`Fn::GetAtt: ${logicalId} is not a resource of the template`);
  const value = resource.attributes[attribute];
  if (value === undefined)
    throw new IntrinsicError(`Fn::GetAtt: ${logicalId} has no attribute ${attribute} in the local cloud`);
  return value;
};

const asString = (fn: string, value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(`${fn}: expected a string, got ${JSON.stringify(value)}`);
};

const asArray = (fn: string, value: unknown): unknown[] => {
  if (Array.isArray(value)) return value;
  throw new IntrinsicError(`${fn}: expected a list, got ${JSON.stringify(value)}`);
};

/** `${Name}`, `${Res.Attr}` and the `${!Literal}` escape of Fn::Sub. */
const SUB_TOKEN = /\$\{([^}]*)\}/g;

const substitute = (ctx: ResolveContext, text: string, variables: Record<string, unknown>): string =>
  text.replace(SUB_TOKEN, (_match, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (name in variables) return asString('Fn::Sub', variables[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::'))
      return asString('Fn::Sub', getAttOf(ctx, name.slice(0, dot), name.slice(dot + 1)));
    return asString('Fn::Sub', refOf(ctx, name));
  });

/** Names the `${…}` tokens of a Fn::Sub string refer to (resources and parameters). */
const subTokens = (text: string): string[] => {
  const names: string[] = [];
  for (const match of text.matchAll(SUB_TOKEN)) {
    const inner = match[1] ?? '';
    if (!inner.startsWith('!')) names.push(inner.trim());
  }
  return names;
};

export class Resolver {
  private readonly conditionCache = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly ctx: ResolveContext) {}

  /** The value of a named condition of the template. */
  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = this.ctx.conditions?.[name];
    if (definition === undefined) throw new IntrinsicError(`condition ${name} is not defined`);
    if (this.evaluating.has(name)) throw new IntrinsicError(`condition ${name} refers to itself`);
    this.evaluating.add(name);
    try {
      const value = this.resolve(definition);
      if (typeof value !== 'boolean') throw new IntrinsicError(`condition ${name} is not a boolean`);
      this.conditionCache.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }

  /** Resolves every intrinsic in `value`; properties resolving to AWS::NoValue are removed. */
  resolve(value: unknown): unknown {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) return this.apply(intrinsic[0], intrinsic[1]);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const resolved = this.resolve(v);
        if (resolved !== NO_VALUE) out[k] = resolved;
      }
      return out;
    }
    return value;
  }

  private bool(fn: string, value: unknown): boolean {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'boolean')
      throw new IntrinsicError(`${fn}: expected a condition, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private apply(fn: string, args: unknown): unknown {
    const ctx = this.ctx;
    switch (fn) {
      case 'Ref':
        return refOf(ctx, asString('Ref', args));
      case 'Condition':
        return this.condition(asString('Condition', args));
      case 'Fn::GetAtt': {
        const parts = typeof args === 'string' ? splitAttribute(args) : asArray(fn, args);
        const [logicalId, attribute] = parts.map((p) => asString(fn, this.resolve(p)));
        if (!logicalId || !attribute) throw new IntrinsicError(`Fn::GetAtt: expected [resource, attribute]`);
        return getAttOf(ctx, logicalId, attribute);
      }
      case 'Fn::Sub': {
        if (typeof args === 'string') return substitute(ctx, args, {});
        const [text, variables = {}] = asArray(fn, args);
        const resolved = this.resolve(variables);
        if (!isRecord(resolved)) throw new IntrinsicError('Fn::Sub: the variables must be a map');
        return substitute(ctx, asString(fn, text), resolved);
      }
      case 'Fn::Join': {
        const [separator, list] = asArray(fn, args);
        const items = asArray(fn, this.resolve(list));
        return items.map((item) => asString(fn, item)).join(asString(fn, separator));
      }
      case 'Fn::Select': {
        const [index, list] = asArray(fn, args);
        const items = asArray(fn, this.resolve(list));
        const at = Number(this.resolve(index));
        if (!Number.isInteger(at) || at < 0 || at >= items.length)
          throw new IntrinsicError(`Fn::Select: index ${String(index)} is outside a list of ${items.length}`);
        return items[at];
      }
      case 'Fn::Split': {
        const [separator, text] = asArray(fn, args);
        return asString(fn, this.resolve(text)).split(asString(fn, separator));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = asArray(fn, args);
        return this.condition(asString(fn, name)) ? this.resolve(whenTrue) : this.resolve(whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = asArray(fn, args).map((v) => this.resolve(v));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not': {
        const [inner] = asArray(fn, args);
        return !this.bool(fn, inner);
      }
      case 'Fn::And':
        return asArray(fn, args).every((v) => this.bool(fn, v));
      case 'Fn::Or':
        return asArray(fn, args).some((v) => this.bool(fn, v));
      case 'Fn::FindInMap': {
        const [map, top, second] = asArray(fn, args).map((v) => asString(fn, this.resolve(v)));
        const found = (ctx.mappings?.[map ?? ''] as Record<string, Record<string, unknown>> | undefined)?.[
          top ?? ''
        ]?.[second ?? ''];
        if (found === undefined)
          throw new IntrinsicError(`Fn::FindInMap: ${map}.${top}.${second} is not defined`);
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(asString(fn, this.resolve(args))).toString('base64');
      default:
        throw new IntrinsicError(`${fn} is not supported by the local deploy`);
    }
  }
}

const splitAttribute = (text: string): string[] => {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
};

/**
 * The logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub tokens), for ordering the
 * deployment. Parameters and pseudo parameters are not resources and are left out by the
 * caller, which knows the template.
 */
export const referencesOf = (value: unknown, found: Set<string> = new Set()): Set<string> => {
  const intrinsic = intrinsicOf(value);
  if (intrinsic) {
    const [fn, args] = intrinsic;
    if (fn === 'Ref' && typeof args === 'string') found.add(args);
    else if (fn === 'Fn::GetAtt') {
      const first =
        typeof args === 'string' ? splitAttribute(args)[0] : Array.isArray(args) ? args[0] : undefined;
      if (typeof first === 'string') found.add(first);
      else referencesOf(args, found);
    } else if (fn === 'Fn::Sub') {
      const [text, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? args : [];
      const local = isRecord(variables) ? variables : {};
      if (typeof text === 'string')
        for (const token of subTokens(text)) if (!(token in local)) found.add(token.split('.')[0] ?? token);
      referencesOf(local, found);
    } else referencesOf(args, found);
    return found;
  }
  if (Array.isArray(value)) for (const v of value) referencesOf(v, found);
  else if (isRecord(value)) for (const v of Object.values(value)) referencesOf(v, found);
  return found;
};
