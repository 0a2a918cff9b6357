/**
 * A policy's version: the sha256 of its canonical JSON (keys sorted at every level, no
 * whitespace), so the same policy hashes the same whatever order its file wrote the keys in.
 * The run records it; every step that acts on `run.policy` compares it with the deployed one.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted recursively (array order kept: it is meaningful).
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `sha256:<hex>` of the policy's canonical JSON. */
export const policyVersion = (policy: unknown): string =>
  `sha256:${createHash('sha256').update(canonicalJson(policy)).digest('hex')}`;

const leaves = (value: unknown, path: string, out: Map<string, string>): void => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>))
      if (child !== undefined) leaves(child, path === '' ? key : `${path}.${key}`, out);
    return;
  }
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    value.forEach((child, index) => {
      leaves(child, `${path}[${index}]`, out);
    });
    return;
  }
  out.set(path, canonicalJson(value));
};

/**
 * Field-by-field differences between two policies (`path: a → b`), sorted by path; empty
 * when they are the same policy.
 *
 * @example
 * policyDifferences({ retention: { keepLast: 7 } }, { retention: { keepLast: 1 } });
 * // [{ path: 'retention.keepLast', from: '7', to: '1' }]
 */
export function policyDifferences(
  from: unknown,
  to: unknown,
): { path: string; from: string | undefined; to: string | undefined }[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  leaves(from, '', a);
  leaves(to, '', b);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((path) => a.get(path) !== b.get(path))
    .sort()
    .map((path) => ({ path, from: a.get(path), to: b.get(path) }));
}
