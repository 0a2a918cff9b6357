import { AwsError, missingParameter } from '../aws-error.ts';

/**
 * EC2 query-protocol parameters (form-encoded, lists flattened as `Name.N` and structures
 * as `Name.N.Member`). Both the JS SDK and botocore serialise EC2 lists this way.
 */
export class QueryParams {
  constructor(private readonly values: Map<string, string>) {}

  static parse(body: string, extra?: URLSearchParams): QueryParams {
    const values = new Map<string, string>();
    for (const [k, v] of extra ?? []) values.set(k, v);
    for (const [k, v] of new URLSearchParams(body)) values.set(k, v);
    return new QueryParams(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  int(name: string): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n))
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${raw}) for parameter ${name} is invalid. Expected an integer.`,
      );
    return n;
  }

  bool(name: string): boolean | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${raw}) for parameter ${name} is invalid. Expected true or false.`,
    );
  }

  /** `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    return this.indexed(name)
      .map((i) => this.values.get(`${name}.${i}`))
      .filter((v): v is string => v !== undefined);
  }

  /** Structures `Name.N.*` as nested QueryParams, in index order. */
  members(name: string): QueryParams[] {
    return this.indexed(name).map((i) => this.scope(`${name}.${i}`));
  }

  /** The parameters below `prefix.` as their own QueryParams. */
  scope(prefix: string): QueryParams {
    const inner = new Map<string, string>();
    const head = `${prefix}.`;
    for (const [k, v] of this.values) if (k.startsWith(head)) inner.set(k.slice(head.length), v);
    return new QueryParams(inner);
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs. */
  tags(name = 'Tag'): { Key: string; Value: string }[] {
    return this.members(name).map((m) => ({ Key: m.required('Key'), Value: m.get('Value') ?? '' }));
  }

  isEmpty(): boolean {
    return this.values.size === 0;
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  private indexed(name: string): number[] {
    const indexes = new Set<number>();
    const head = `${name}.`;
    for (const key of this.values.keys()) {
      if (!key.startsWith(head)) continue;
      const n = Number(key.slice(head.length).split('.')[0]);
      if (Number.isInteger(n) && n > 0) indexes.add(n);
    }
    return [...indexes].sort((a, b) => a - b);
  }
}
