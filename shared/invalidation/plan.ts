/**
 * The invalidation planner: which CloudFront paths to invalidate after a deploy.
 *
 * Guarantees: every URL form of every changed or deleted object is covered (never a miss); the plan
 * uses at most the wildcards still available (limit minus in flight); batches respect the in-flight
 * limits or are marked deferred. Wildcards are chosen by a cost model, not a depth rule:
 *
 *   cost = billed paths + needlessWeight × needless objects
 *
 * where a needless object is an unchanged object with at least one URL covered by the plan.
 *
 * How the optimum is found (wildcard-groups.ts, wildcard-dp.ts): candidate wildcards form a tree
 * (`/*` ⊃ `/docs*` ⊃ `/docs/*` ⊃ …); a tree DP gives, per group and per number of wildcards (≤ 15), the
 * cheapest cover. With a budget `maxPaths` the goal becomes "fewest needless objects with at most
 * maxPaths billed paths":
 * - maxPaths ≤ wildcards available (the usual case, e.g. 8 ≤ 15): the DP is indexed by paths instead
 *   and is exact — every plan with ≤ maxPaths paths has ≤ 15 wildcards anyway;
 * - larger budgets: Lagrangian relaxation. A price λ per path turns the budget into the cost model
 *   λ·paths + needless; the paths of the optimum only fall as λ rises, so a bisection on λ finds the
 *   cheapest price that fits the budget. The result is optimal among the plans on the lower convex hull
 *   of (paths, needless), which is where a budget usually lands.
 * `withinBudget: 'cheapest'` keeps the cost model inside the cap instead: the same two methods, with
 * the index chosen by paths + weight × needless, and λ starting at 1 / weight.
 *
 * Without an inventory the needless objects of a wildcard are unknown: the planner assumes every
 * directory it knows holds `assumedUnchangedPerDirectory` unchanged objects (the worst reasonable case;
 * see schemas.ts), so it only collapses where that is still cheap, and reports `needlessObjects: null`.
 */
import { type InvalidationBatch, toBatches } from './batches.ts';
import { InvalidPlanInputError } from './errors.ts';
import { encodePath } from './path-encoding.ts';
import { type ParsedPlanInput, type PlanInput, PlanInputSchema } from './schemas.ts';
import { normalizeKeyPrefix, urlFormsOfKey } from './url-forms.ts';
import { addUnchanged, buildUrlTrie, finishTrie } from './url-trie.ts';
import { bestIndex, byPaths, byWildcards, reconstruct, type Selection, solve } from './wildcard-dp.ts';
import { buildGroups, type Group } from './wildcard-groups.ts';

export interface WildcardChoice {
  /** Encoded wildcard path. */
  readonly path: string;
  /** Changed URLs it covers. */
  readonly changedUrls: number;
  /** Unchanged objects it hits (null without an inventory). */
  readonly needlessObjects: number | null;
  /** One line: why this wildcard. */
  readonly reason: string;
}

export interface IgnoredKey {
  readonly key: string;
  readonly reason: string;
}

export interface InvalidationPlan {
  /** Every path of the plan (encoded), sorted. */
  readonly paths: readonly string[];
  readonly batches: readonly InvalidationBatch[];
  readonly billedPaths: number;
  /** Distinct changed URLs (every URL form of every changed object); all of them are covered. */
  readonly urlsCovered: number;
  /** Unchanged objects the plan invalidates; exact with an inventory, null without. */
  readonly needlessObjects: number | null;
  readonly wildcards: readonly WildcardChoice[];
  readonly ignored: readonly IgnoredKey[];
  /** The budget and whether it was met (it cannot be when no wildcard is available); null without one. */
  readonly budget: { readonly maxPaths: number; readonly met: boolean } | null;
}

/** Parses planner input, listing every problem at once. */
export function parsePlanInput(input: PlanInput): ParsedPlanInput {
  const parsed = PlanInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`,
    );
    throw new InvalidPlanInputError(issues, { cause: parsed.error });
  }
  return parsed.data;
}

interface Chosen {
  readonly selection: Selection;
  readonly paths: number;
}

function paths(selection: Selection): number {
  return selection.wildcards.length + selection.exactUrls.length;
}

function estimatedNeedless(selection: Selection): number {
  let total = selection.exactNeedless;
  for (const group of selection.wildcards) total += group.needless;
  return total;
}

/**
 * Lagrangian search for budgets larger than the wildcards available (see the module comment): the
 * cheapest price per path, at least `minPrice`, whose optimum fits the budget.
 */
function chooseByLagrange(root: Group, maxPaths: number, maxWildcards: number, minPrice: number): Chosen {
  let best: Chosen | null = null;
  let bestNeedless = Number.POSITIVE_INFINITY;
  const tryPrice = (price: number): boolean => {
    const solution = solve(root, byWildcards(price, 1, maxWildcards));
    const pick = bestIndex(solution, (_index, value) => value)!;
    const selection = reconstruct(solution, pick.index);
    const count = paths(selection);
    if (count > maxPaths) return false;
    const needless = estimatedNeedless(selection);
    if (best === null || needless < bestNeedless || (needless === bestNeedless && count < best.paths)) {
      best = { selection, paths: count };
      bestNeedless = needless;
    }
    return true;
  };
  let low = minPrice;
  let high = Math.max(MAX_PRICE, minPrice);
  if (tryPrice(low)) return best!;
  tryPrice(high);
  for (let step = 0; step < 60 && high / low > 1.0001; step++) {
    const mid = Math.sqrt(low * high);
    if (tryPrice(mid)) high = mid;
    else low = mid;
  }
  return best!;
}

/** A price per path above any needless count: the optimum then has the fewest paths possible. */
const MAX_PRICE = 1e12;
/** A price per path below any needless difference: the optimum then has the fewest needless objects. */
const MIN_PRICE = 1e-6;

function choose(root: Group, input: ParsedPlanInput, maxWildcards: number): Chosen {
  const { maxPaths, needlessWeight, withinBudget } = input.cost;
  if (maxPaths === undefined || maxWildcards === 0) {
    // Ties (equal cost) go to fewer wildcards, then to fewer needless objects via the tiny second term.
    const solution = solve(root, byWildcards(1, needlessWeight + 1e-9, maxWildcards));
    const pick = bestIndex(solution, (_index, value) => value)!;
    const selection = reconstruct(solution, pick.index);
    return { selection, paths: paths(selection) };
  }
  const cheapest = withinBudget === 'cheapest';
  if (maxPaths <= maxWildcards) {
    const solution = solve(root, byPaths(maxPaths));
    const pick = bestIndex(
      solution,
      cheapest
        ? (index, value) => index + (needlessWeight + 1e-9) * value
        : (index, value) => value * (maxPaths + 1) + index, // fewest needless; among equals, fewest paths
    )!;
    const selection = reconstruct(solution, pick.index);
    return { selection, paths: pick.index };
  }
  const minPrice = cheapest ? (needlessWeight > 0 ? 1 / needlessWeight : MAX_PRICE) : MIN_PRICE;
  return chooseByLagrange(root, maxPaths, maxWildcards, minPrice);
}

/**
 * The inventory without duplicates. S3 lists keys sorted, so a strictly ascending list (one linear
 * check) needs no set; anything else is deduplicated through one.
 */
function uniqueKeys(keys: readonly string[]): readonly string[] {
  let ascending = true;
  for (let i = 1; i < keys.length && ascending; i++) ascending = keys[i - 1]! < keys[i]!;
  return ascending ? keys : [...new Set(keys)];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Plans the CloudFront invalidation of a deploy.
 *
 * @example
 * const plan = planInvalidation({
 *   changes: [{ key: 'site/docs/index.html', change: 'modified' }, { key: 'site/img/a.png', change: 'deleted' }],
 *   site: { keyPrefix: 'site/' },
 *   inventory: ['site/docs/index.html', 'site/img/b.png'],
 * });
 * plan.paths;           // ['/*']: 1 path + 1 needless object × 0.01 beats 4 exact paths
 * plan.needlessObjects; // 1 (img/b.png)
 * plan.ignored;         // [] — a key outside 'site/' would be listed here with the reason
 */
export function planInvalidation(input: PlanInput): InvalidationPlan {
  const parsed = parsePlanInput(input);
  const { site, limits, cost } = parsed;
  const ignored: IgnoredKey[] = [];
  const changedUrls = new Set<string>();
  const changedKeys = new Set<string>();
  for (const { key } of parsed.changes) {
    const forms = urlFormsOfKey(key, site);
    if (!forms.served) {
      ignored.push({ key, reason: forms.reason });
      continue;
    }
    changedKeys.add(key);
    for (const url of forms.urls) changedUrls.add(url);
  }

  const inventoryKnown = parsed.inventory !== undefined;
  const trie = buildUrlTrie(changedUrls);
  let unchangedCount = 0;
  if (parsed.inventory !== undefined) {
    const prefix = normalizeKeyPrefix(site.keyPrefix);
    for (const key of uniqueKeys(parsed.inventory)) {
      if (changedKeys.has(key) || !key.startsWith(prefix) || key.length === prefix.length) continue;
      unchangedCount++;
      addUnchanged(trie, prefix === '' ? key : key.slice(prefix.length), site);
    }
  }
  finishTrie(trie);
  const maxWildcards = Math.max(0, limits.maxWildcardsInFlight - limits.inFlight.wildcards);
  const budget = cost.maxPaths === undefined ? null : cost.maxPaths;

  if (parsed.invalidateAll) {
    const all = encodePath('/*');
    return {
      paths: [all],
      batches: toBatches([all], limits),
      billedPaths: 1,
      urlsCovered: changedUrls.size,
      needlessObjects: inventoryKnown ? unchangedCount : null,
      wildcards: [
        {
          path: all,
          changedUrls: changedUrls.size,
          needlessObjects: inventoryKnown ? unchangedCount : null,
          reason: '/* requested explicitly (invalidateAll)',
        },
      ],
      ignored,
      budget: budget === null ? null : { maxPaths: budget, met: true },
    };
  }
  if (changedUrls.size === 0) {
    return {
      paths: [],
      batches: [],
      billedPaths: 0,
      urlsCovered: 0,
      needlessObjects: inventoryKnown ? 0 : null,
      wildcards: [],
      ignored,
      budget: budget === null ? null : { maxPaths: budget, met: true },
    };
  }

  const root = buildGroups(trie, { inventoryKnown, assumedPerDirectory: cost.assumedUnchangedPerDirectory });
  const { selection } = choose(root, parsed, maxWildcards);

  // Exact needless count: wildcards form an antichain, so their counts add up; objects hit only through
  // an exact URL they share with a changed object are added unless a chosen wildcard covers them already.
  let needlessObjects: number | null = null;
  if (inventoryKnown) {
    const prefixes = selection.wildcards.map((g) => g.wildcard.slice(0, -1));
    const viaExact = new Set<string>();
    for (const url of selection.exactUrls) {
      for (const own of trie.collisions.get(url) ?? []) {
        if (!prefixes.some((p) => own.startsWith(p))) viaExact.add(own);
      }
    }
    needlessObjects = viaExact.size;
    for (const group of selection.wildcards) needlessObjects += group.needless;
  }

  const wildcards = selection.wildcards
    .map((group): WildcardChoice => {
      const path = encodePath(group.wildcard);
      const hit = inventoryKnown
        ? plural(group.needless, 'unchanged object')
        : `an unknown number of unchanged objects (assumed ≤ ${group.needless})`;
      const why =
        budget === null
          ? `1 path + ${group.needless} × ${cost.needlessWeight} = ${Number((1 + group.needless * cost.needlessWeight).toFixed(4))} is cheaper than ${plural(group.changedUrls, 'path')}`
          : `1 path instead of ${group.changedUrls}, to stay within the budget of ${plural(budget, 'path')}${cost.withinBudget === 'cheapest' ? '' : ' with the fewest needless objects'}`;
      return {
        path,
        changedUrls: group.changedUrls,
        needlessObjects: inventoryKnown ? group.needless : null,
        reason: `${path} covers ${plural(group.changedUrls, 'changed URL')} and ${hit}: ${why}`,
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const allPaths = [...selection.exactUrls.map(encodePath), ...wildcards.map((w) => w.path)].sort();
  return {
    paths: allPaths,
    batches: toBatches(allPaths, limits),
    billedPaths: allPaths.length,
    urlsCovered: changedUrls.size,
    needlessObjects,
    wildcards,
    ignored,
    budget: budget === null ? null : { maxPaths: budget, met: allPaths.length <= budget },
  };
}
