/**
 * The request context a statement's conditions are evaluated against: condition key →
 * its values (one for a single-valued key, any number for a multivalued one such as
 * `aws:TagKeys`). Condition key names are case-insensitive (IAM User Guide, "IAM JSON policy
 * elements: Condition"), so they are stored lower-cased.
 */
export class RequestContext {
  private readonly values = new Map<string, string[]>();

  constructor(entries: Record<string, string | string[] | undefined> = {}) {
    for (const [key, value] of Object.entries(entries)) if (value !== undefined) this.set(key, value);
  }

  set(key: string, value: string | string[]): this {
    this.values.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
    return this;
  }

  /** undefined when the key is not in the context (what `Null` and `…IfExists` test). */
  get(key: string): string[] | undefined {
    return this.values.get(key.toLowerCase());
  }

  /** `aws:RequestTag/<k>` for each tag and `aws:TagKeys` (tags sent with a create or tag call). */
  withRequestTags(tags: ReadonlyMap<string, string>): this {
    for (const [k, v] of tags) this.set(`aws:RequestTag/${k}`, v);
    return this.set('aws:TagKeys', [...tags.keys()]);
  }

  /** `aws:ResourceTag/<k>` (and a service's own `<prefix>:ResourceTag/<k>`) for an existing resource. */
  withResourceTags(tags: ReadonlyMap<string, string>, servicePrefix?: string): this {
    for (const [k, v] of tags) {
      this.set(`aws:ResourceTag/${k}`, v);
      if (servicePrefix) this.set(`${servicePrefix}:ResourceTag/${k}`, v);
    }
    return this;
  }

  copy(): RequestContext {
    const next = new RequestContext();
    for (const [k, v] of this.values) next.values.set(k, [...v]);
    return next;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.values);
  }
}
