// Brute-force oracles for the planner tests: scoring straight from the definitions, no trie.
import {
  type InvalidationPlan,
  normalizeKeyPrefix,
  type PlanInput,
  parsePlanInput,
  pathCovers,
  urlFormsOfKey,
  urlFormsOfRelativeKey,
} from '../../../shared/invalidation/index.ts';

/** Every URL form of every served changed key. */
export function changedUrls(input: PlanInput): string[] {
  const parsed = parsePlanInput(input);
  const urls = new Set<string>();
  for (const { key, change } of parsed.changes) {
    const forms = urlFormsOfKey(key, parsed.site, change);
    if (forms.served) for (const url of forms.urls) urls.add(url);
  }
  return [...urls];
}

/** Changed URLs no path of the plan covers. */
export function missedUrls(input: PlanInput, plan: InvalidationPlan): string[] {
  return changedUrls(input).filter((url) => !plan.paths.some((path) => pathCovers(path, url)));
}

/** Unchanged served objects with at least one URL covered by the plan, recounted by brute force. */
export function bruteNeedless(input: PlanInput, paths: readonly string[]): number {
  const parsed = parsePlanInput(input);
  const prefix = normalizeKeyPrefix(parsed.site.keyPrefix);
  const changed = new Set(parsed.changes.map((c) => c.key));
  let count = 0;
  for (const key of new Set(parsed.inventory ?? [])) {
    if (changed.has(key) || !key.startsWith(prefix) || key === prefix) continue;
    const urls = urlFormsOfRelativeKey(key.slice(prefix.length), parsed.site, 'unchanged');
    if (urls.some((url) => paths.some((path) => pathCovers(path, url)))) count++;
  }
  return count;
}
