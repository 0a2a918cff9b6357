/**
 * Scoring exactly as /work/shared/data/deploys/README.md defines it (repository root = URL root).
 */

/** URL forms of a repository path: `/k`, plus `/dir/` and `/dir` (or `/`) for an index.html. */
export function urlForms(key: string): string[] {
  const forms = [`/${key}`];
  if (key === 'index.html') forms.push('/');
  else if (key.endsWith('/index.html')) {
    const dir = key.slice(0, -'index.html'.length);
    forms.push(`/${dir}`, `/${dir.slice(0, -1)}`);
  }
  return forms;
}

export interface Score {
  readonly billedPaths: number;
  readonly missedUrls: number;
  readonly needlessObjects: number;
}

/** A plan (decoded paths) as a coverage test. */
function coverage(planPaths: readonly string[]): (url: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of planPaths) {
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (url) => exact.has(url) || prefixes.some((prefix) => url.startsWith(prefix));
}

/**
 * billedPaths, missedUrls and needlessObjects of a plan for one deploy.
 * `changed` = C (every path of the deploy), `inventoryAfter` = I' = (I ∪ added) − deleted.
 */
export function scorePlan(
  planPaths: readonly string[],
  changed: ReadonlySet<string>,
  inventoryAfter: ReadonlySet<string>,
): Score {
  const covers = coverage(planPaths);
  let missedUrls = 0;
  for (const key of changed) for (const url of urlForms(key)) if (!covers(url)) missedUrls++;
  let needlessObjects = 0;
  for (const key of inventoryAfter) {
    if (changed.has(key)) continue;
    if (urlForms(key).some(covers)) needlessObjects++;
  }
  return { billedPaths: planPaths.length, missedUrls, needlessObjects };
}
