import type { RequestContext } from './context.ts';
import { globMatch } from './wildcards.ts';

/**
 * The condition operators of IAM User Guide, "IAM JSON policy elements: Condition operators"
 * (string, numeric, date, Bool, ARN, Null, the `…IfExists` suffix) and the set qualifiers
 * `ForAllValues:` / `ForAnyValue:` of "Set operators for multivalued context keys".
 */
type Matcher = (policyValue: string, requestValue: string) => boolean;

const number = (text: string): number => Number(text);
const date = (text: string): number => (/^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text));

/** An ARN compares segment by segment, each with wildcards (ArnLike / ArnEquals). */
const arnMatch: Matcher = (pattern, value) => {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [ph, vh] = [head(p), head(v)];
  return ph.every((segment, i) => globMatch(segment, vh[i] ?? ''));
};

const POSITIVE: Record<string, Matcher> = {
  StringEquals: (p, v) => p === v,
  StringEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringLike: (p, v) => globMatch(p, v),
  NumericEquals: (p, v) => number(p) === number(v),
  NumericLessThan: (p, v) => number(v) < number(p),
  NumericLessThanEquals: (p, v) => number(v) <= number(p),
  NumericGreaterThan: (p, v) => number(v) > number(p),
  NumericGreaterThanEquals: (p, v) => number(v) >= number(p),
  DateEquals: (p, v) => date(p) === date(v),
  DateLessThan: (p, v) => date(v) < date(p),
  DateLessThanEquals: (p, v) => date(v) <= date(p),
  DateGreaterThan: (p, v) => date(v) > date(p),
  DateGreaterThanEquals: (p, v) => date(v) >= date(p),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
  BinaryEquals: (p, v) => p === v,
  IpAddress: () => false,
  ArnEquals: arnMatch,
  ArnLike: arnMatch,
};

/** Negated operators: true when no policy value matches (and when the key is absent). */
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NotIpAddress: 'IpAddress',
};

/** An operator the evaluator does not know: a policy using it cannot be evaluated faithfully. */
export class UnsupportedConditionOperator extends Error {
  constructor(readonly operator: string) {
    super(`the local IAM evaluator does not implement the condition operator ${operator}`);
    this.name = 'UnsupportedConditionOperator';
  }
}

const parseOperator = (full: string) => {
  const qualifier = /^(ForAllValues|ForAnyValue):/.exec(full)?.[1] as
    | 'ForAllValues'
    | 'ForAnyValue'
    | undefined;
  let name = qualifier ? full.slice(qualifier.length + 1) : full;
  const ifExists = name !== 'Null' && name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const negatedOf = NEGATED[name];
  const base = negatedOf ?? name;
  const matcher = POSITIVE[base];
  if (name !== 'Null' && !matcher) throw new UnsupportedConditionOperator(full);
  return { qualifier, name, ifExists, negated: negatedOf !== undefined, matcher };
};

/** One operator with one key: is it satisfied by the request context? */
const keyMatches = (
  operator: string,
  key: string,
  policyValues: string[],
  context: RequestContext,
): boolean => {
  const { qualifier, name, ifExists, negated, matcher } = parseOperator(operator);
  const requestValues = context.get(key);
  if (name === 'Null') {
    // "true": the key must be absent; "false": present (an empty multivalued key counts as absent).
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const match = matcher as Matcher;
  const anyPolicyValue = (requestValue: string) => policyValues.some((p) => match(p, requestValue));
  if (qualifier === 'ForAllValues') {
    // Every request value must match (positive) / match none (negated); an absent or empty key is true.
    if (requestValues === undefined || requestValues.length === 0) return true;
    return requestValues.every((v) => (negated ? !anyPolicyValue(v) : anyPolicyValue(v)));
  }
  if (qualifier === 'ForAnyValue') {
    // At least one request value must match (positive) / fail to match (negated); absent is false.
    if (requestValues === undefined || requestValues.length === 0) return false;
    return requestValues.some((v) => (negated ? !anyPolicyValue(v) : anyPolicyValue(v)));
  }
  if (requestValues === undefined) return ifExists || negated;
  const matched = requestValues.some(anyPolicyValue);
  return negated ? !matched : matched;
};

/**
 * A statement's whole Condition block: every operator, and within an operator every key,
 * must be satisfied (AND); the values listed for one key are alternatives (OR).
 */
export const conditionsMatch = (
  condition: Record<string, Record<string, string[]>> | undefined,
  context: RequestContext,
): boolean =>
  Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => keyMatches(operator, key, values, context)),
  );
