/**
 * The invalidation planner: which CloudFront paths to invalidate after a deploy.
 *
 * Guarantees: every URL form of every changed or deleted object is covered (never a miss); the plan
 * uses at most `wildcardRounds` × the wildcard limit minus what is in flight (wildcardCap); batches
 * respect the in-flight limits or are marked deferred. CloudFront's wildcard limit (15) is on the
 * wildcard paths *in progress at one time* per distribution
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html), not
 * on a deploy: a plan may use more, in batches of at most 15 wildcards each (toBatches), those that
 * do not fit next to what is in flight deferred and submitted later by the deferred queue. The price
 * is freshness: a deferred batch waits for the earlier ones to complete (usually seconds to minutes),
 * and its objects stay stale until then. DEFAULT_WILDCARD_ROUNDS was measured on the benchmark
 * (bench/RESULTS.md, "Wildcard rounds"). Wildcards are chosen by a cost model, not a depth rule:
 *
 *   cost = billed paths + needlessWeight × needless objects
 *
 * where a needless object is an unchanged object with at least one URL covered by the plan.
 *
 * How the optimum is found (wildcard-groups.ts, wildcard-dp.ts): candidate wildcards form a tree
 * (`/*` ⊃ `/docs*` ⊃ `/docs/*` ⊃ …); a tree DP gives, per group and per number of wildcards (≤ the
 * cap), the cheapest cover. With a budget `maxPaths` the goal becomes "fewest needless objects with at most
 * maxPaths billed paths":
 * - maxPaths ≤ wildcards available (the usual case, e.g. 8 ≤ 15): the DP is indexed by paths instead
 *   and is exact — every plan with ≤ maxPaths paths has ≤ maxPaths wildcards anyway;
 * - larger budgets: Lagrangian relaxation. A price λ per path turns the budget into the cost model
 *   λ·paths + needless; the paths of the optimum only fall as λ rises, so a bisection on λ finds the
 *   cheapest price that fits the budget. The result is optimal among the plans on the lower convex hull
 *   of (paths, needless), which is where a budget usually lands. When the budget binds (the optimum at
 *   the lowest price does not fit), a mixed plan is searched too (chooseMixed: the path-indexed DP,
 *   exact for the budget, with the wildcard limit relaxed by a price per wildcard): a large deploy's
 *   Lagrangian points can be ~all exact (over the budget) or a few wide wildcards, and a split inside
 *   the deploy (exact where it saves most, wildcards for the rest) beats both. The better of the two
 *   by the mode's objective is kept; the DP is bounded by MIXED_PLAN_MAX_CELLS.
 * `withinBudget: 'cheapest'` keeps the cost model inside the cap instead: the same two methods, with
 * the index chosen by paths + weight × needless, and λ starting at 1 / weight. `'balanced'` (the
 * default) prices a path at BALANCED_PATH_SHARE of the needless objects of the fewest-path plan: a
 * path is spent only where it keeps that share of the site cached, so a cap of 8 is not spent on
 * crumbs (bench/RESULTS.md: Pareto no worse than s3deploy on both axes, on every dataset).
 *
 * Without an inventory the needless objects of a wildcard are unknown: the planner assumes every
 * directory it knows holds `assumedUnchangedPerDirectory` unchanged objects (the worst reasonable case;
 * see schemas.ts), so it only collapses where that is still cheap, and reports `needlessObjects: null`.
 */
import { type InvalidationBatch, isWildcardPath, toBatches } from './batches.ts';
import { InvalidPlanInputError } from './errors.ts';
import { decodePath, encodePath, UNSUPPORTED_CHARACTER, wildcardBefore } from './path-encoding.ts';
import { type Limits, type ParsedPlanInput, type PlanInput, PlanInputSchema } from './schemas.ts';
import { normalizeKeyPrefix, urlFormsOfKey } from './url-forms.ts';
import { addUnchanged, buildUrlTrie, finishTrie, type UrlTrie } from './url-trie.ts';
import {
  bestIndex,
  byPaths,
  byWildcards,
  reconstruct,
  type Selection,
  solve,
  tableCells,
} from './wildcard-dp.ts';
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
  /** Lagrangian search only: the optimum at its lowest price fits the budget (the budget does not bind). */
  readonly atMinPrice?: boolean;
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
function chooseByLagrange(
  root: Group,
  maxPaths: number,
  maxWildcards: number,
  minPrice: number,
  exactIsWildcard: boolean,
): Chosen {
  let best: Chosen | null = null;
  let bestNeedless = Number.POSITIVE_INFINITY;
  const tryPrice = (price: number): boolean => {
    const solution = solve(root, byWildcards(price, 1, maxWildcards, exactIsWildcard));
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
  if (tryPrice(low)) return { ...best!, atMinPrice: true };
  tryPrice(high);
  for (let step = 0; step < 60 && high / low > 1.0001; step++) {
    const mid = Math.sqrt(low * high);
    if (tryPrice(mid)) high = mid;
    else low = mid;
  }
  return best!;
}

/**
 * Mixed plans: the most cells (tableCells) a path-indexed programme may visit, per run. The largest
 * deploy of the four real histories (kaitai 2025-09: 6,540 changed files, 6,910 URLs) takes 7.8 M
 * cells at 1,000 paths and 17 M at 3,000 (≈ 0.1 s a run on this machine); past the bound the planner
 * keeps the Lagrangian plan, so its worst case stays bounded: at most 2 + MIXED_WILDCARD_STEPS runs
 * of this many cells (≈ 1.5 s) on top of the Lagrangian search.
 */
const MIXED_PLAN_MAX_CELLS = 2e7;
/** Bisection steps on the wildcard price of a mixed plan (geometric over MIXED_WILDCARD_PRICES). */
const MIXED_WILDCARD_STEPS = 12;
/**
 * Wildcard prices the bisection spans, in needless objects: from a thousandth of an object (the limit
 * barely binds) to above any inventory (a wildcard fewer beats any needless difference).
 */
const MIXED_WILDCARD_PRICES = { low: 1e-3, high: 1e9 } as const;

/**
 * A mixed plan for a budget larger than the wildcards available: part exact paths, part wildcards,
 * inside one deploy, at any split — not only the plans the cost model makes at some price per path
 * (the Lagrangian points, where a large deploy is either ~all exact or a few wide wildcards). The
 * programme is indexed by paths (exact for the budget, like maxPaths ≤ wildcards) and the wildcard
 * limit is relaxed with a price per wildcard, bisected until the plan fits it. The plan with the least
 * `objective(paths, needless)`; null when the programme is too large (MIXED_PLAN_MAX_CELLS) or no
 * price makes the plan fit the wildcard limit.
 */
function chooseMixed(
  root: Group,
  maxPaths: number,
  maxWildcards: number,
  objective: (paths: number, needless: number) => number,
): Chosen | null {
  const cells = tableCells(root, byPaths(maxPaths));
  if (cells > MIXED_PLAN_MAX_CELLS) return null;
  const atPrice = (wildcardPrice: number): Chosen | null => {
    const solution = solve(root, byPaths(maxPaths, wildcardPrice));
    // The table's values include the wildcard price: the objective is its Lagrangian too.
    const pick = bestIndex(solution, objective);
    if (pick === null) return null;
    const selection = reconstruct(solution, pick.index);
    return selection.wildcards.length <= maxWildcards ? { selection, paths: pick.index } : null;
  };
  const free = atPrice(0);
  if (free !== null) return free;
  let low: number = MIXED_WILDCARD_PRICES.low;
  let high: number = MIXED_WILDCARD_PRICES.high;
  let best = atPrice(high);
  if (best === null) return null;
  for (let step = 0; step < MIXED_WILDCARD_STEPS; step++) {
    const mid = Math.sqrt(low * high);
    const chosen = atPrice(mid);
    if (chosen === null) low = mid;
    else {
      high = mid;
      if (
        objective(chosen.paths, estimatedNeedless(chosen.selection)) <
        objective(best.paths, estimatedNeedless(best.selection))
      )
        best = chosen;
    }
  }
  return best;
}

/** A price per path above any needless count: the optimum then has the fewest paths possible. */
const MAX_PRICE = 1e12;
/** A price per path below any needless difference: the optimum then has the fewest needless objects. */
const MIN_PRICE = 1e-6;
/**
 * 'balanced': a path is worth this share of the needless objects of the fewest-path plan (about the
 * unchanged objects `/*` would hit). Measured on the four real histories (bench/RESULTS.md), the
 * 8-path mode is Pareto no worse than s3deploy-forms on every dataset for shares 0.05–0.1; 0.07 is
 * the middle, with ≥ 14% margin on both axes.
 */
const BALANCED_PATH_SHARE = 0.07;

/** Needless objects of the optimum with the fewest paths (what a single collapse would cost). */
function fewestPathsNeedless(root: Group, maxWildcards: number, exactIsWildcard: boolean): number {
  const solution = solve(root, byWildcards(MAX_PRICE, 1, maxWildcards, exactIsWildcard));
  const pick = bestIndex(solution, (_index, value) => value)!;
  return estimatedNeedless(reconstruct(solution, pick.index));
}

function choose(
  root: Group,
  input: ParsedPlanInput,
  maxWildcards: number,
  maxPaths: number | undefined,
): Chosen {
  const { needlessWeight, withinBudget } = input.cost;
  const exactIsWildcard = input.site.queryStrings;
  if (maxPaths === undefined || maxWildcards === 0) {
    // Ties (equal cost) go to fewer wildcards, then to fewer needless objects via the tiny second term.
    const solution = solve(root, byWildcards(1, needlessWeight + 1e-9, maxWildcards, exactIsWildcard));
    const pick = bestIndex(solution, (_index, value) => value)!;
    const selection = reconstruct(solution, pick.index);
    return { selection, paths: paths(selection) };
  }
  const cheapest = withinBudget === 'cheapest';
  if (maxPaths <= maxWildcards) {
    const solution = solve(root, byPaths(maxPaths));
    let objective: (index: number, value: number) => number;
    if (cheapest) objective = (index, value) => index + (needlessWeight + 1e-9) * value;
    else if (withinBudget === 'balanced') {
      const fewest = bestIndex(solution, (index) => index)!;
      const price = BALANCED_PATH_SHARE * fewest.value;
      objective = (index, value) => value + price * index; // ties go to fewer paths
    } else objective = (index, value) => value * (maxPaths + 1) + index; // fewest needless; among equals, fewest paths
    const pick = bestIndex(solution, objective)!;
    const selection = reconstruct(solution, pick.index);
    return { selection, paths: pick.index };
  }
  let minPrice = MIN_PRICE;
  if (cheapest) minPrice = needlessWeight > 0 ? 1 / needlessWeight : MAX_PRICE;
  else if (withinBudget === 'balanced')
    minPrice = Math.max(
      MIN_PRICE,
      BALANCED_PATH_SHARE * fewestPathsNeedless(root, maxWildcards, exactIsWildcard),
    );
  const lagrange = chooseByLagrange(root, maxPaths, maxWildcards, minPrice, exactIsWildcard);
  if (exactIsWildcard || lagrange.atMinPrice) return lagrange;
  // The budget binds: a plan between two Lagrangian points may do better (see chooseMixed).
  let objective: (paths: number, needless: number) => number;
  if (cheapest) objective = (n, needless) => n + (needlessWeight + 1e-9) * needless;
  else if (withinBudget === 'balanced') objective = (n, needless) => needless + minPrice * n;
  else objective = (n, needless) => needless * (maxPaths + 1) + n;
  const mixed = chooseMixed(root, maxPaths, maxWildcards, objective);
  if (mixed === null) return lagrange;
  const score = (c: Chosen) => objective(c.paths, estimatedNeedless(c.selection));
  return score(mixed) < score(lagrange) ? mixed : lagrange;
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

/** The changed URLs of a plan input, split by how they can be invalidated. */
interface ChangedUrls {
  /** URLs an exact path (or, with query strings, `/url*`) can name; input of the optimiser. */
  readonly exact: Set<string>;
  /** Wildcards forced by URLs no exact path can name (`~`, a last `*`), with one example URL each. */
  readonly forced: Map<string, string>;
  readonly keys: Set<string>;
  readonly all: number;
  readonly ignored: IgnoredKey[];
}

/** Drops wildcards another one of the list covers (`/d*` makes `/docs/*` redundant). */
function outermost(wildcards: Iterable<string>): string[] {
  const sorted = [...new Set(wildcards)].sort();
  const kept: string[] = [];
  for (const w of sorted) {
    const last = kept.at(-1);
    if (last === undefined || !w.startsWith(last.slice(0, -1))) kept.push(w);
  }
  return kept;
}

/** With query strings in the cache key `/u*` covers every URL starting with `u`: keep the shortest. */
function prefixMinimal(urls: Set<string>): Set<string> {
  const sorted = [...urls].sort();
  const kept = new Set<string>();
  let last: string | undefined;
  for (const url of sorted) {
    if (last !== undefined && url.startsWith(last)) continue;
    kept.add(url);
    last = url;
  }
  return kept;
}

/** Step 1: the URL forms of every changed key; what cannot be invalidated at all is `ignored`. */
function collectChangedUrls(parsed: ParsedPlanInput): ChangedUrls {
  const ignored: IgnoredKey[] = [];
  const urls = new Set<string>();
  const keys = new Set<string>();
  for (const { key, change } of parsed.changes) {
    const forms = urlFormsOfKey(key, parsed.site, change);
    if (!forms.served) {
      ignored.push({ key, reason: forms.reason });
      continue;
    }
    keys.add(key);
    for (const url of forms.urls) urls.add(url);
  }
  const forcedBy = new Map<string, string>();
  for (const url of urls) {
    const wildcard = wildcardBefore(url);
    if (wildcard !== null && !forcedBy.has(wildcard)) forcedBy.set(wildcard, url);
  }
  const forced = new Map(outermost(forcedBy.keys()).map((w) => [w, forcedBy.get(w) ?? w]));
  const prefixes = [...forced.keys()].map((w) => w.slice(0, -1));
  let exact = new Set([...urls].filter((url) => !prefixes.some((p) => url.startsWith(p))));
  if (parsed.site.queryStrings) exact = prefixMinimal(exact);
  return { exact, forced, keys, all: urls.size, ignored };
}

/** Step 2: the trie of the exact URLs with the unchanged inventory counted in. */
function buildTrie(parsed: ParsedPlanInput, changed: ChangedUrls): { trie: UrlTrie; unchanged: string[] } {
  const trie = buildUrlTrie(changed.exact);
  const unchanged: string[] = [];
  if (parsed.inventory !== undefined) {
    const { site } = parsed;
    const prefix = normalizeKeyPrefix(site.keyPrefix);
    for (const key of uniqueKeys(parsed.inventory)) {
      if (changed.keys.has(key) || !key.startsWith(prefix) || key.length === prefix.length) continue;
      const rel = prefix === '' ? key : key.slice(prefix.length);
      unchanged.push(rel);
      addUnchanged(trie, rel, site);
    }
  }
  return { trie: finishTrie(trie), unchanged };
}

/**
 * Unchanged objects a set of paths hits, counted from the paths (for plans whose wildcards the
 * optimiser did not choose: forced ones, `/url*` forms). A wildcard covering any URL form of an
 * object covers its own URL (the other forms are prefixes of it), so own URLs are enough; exact paths
 * add the objects they collide with.
 */
function countNeedless(paths: readonly string[], unchanged: readonly string[], trie: UrlTrie): number {
  const own = unchanged.map((rel) => `/${rel}`).sort();
  const hit = new Set<number>();
  const lowerBound = (text: string) => {
    let lo = 0;
    let hi = own.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (own[mid]! < text) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const path of outermost(paths.filter(isWildcardPath).map(decodePath))) {
    const prefix = path.slice(0, -1);
    for (let i = lowerBound(prefix); i < own.length && own[i]!.startsWith(prefix); i++) hit.add(i);
  }
  let needless = hit.size;
  const wildcardPrefixes = paths.filter(isWildcardPath).map((p) => decodePath(p).slice(0, -1));
  for (const path of paths.filter((p) => !isWildcardPath(p))) {
    for (const url of trie.collisions.get(decodePath(path)) ?? []) {
      if (!wildcardPrefixes.some((p) => url.startsWith(p))) needless++;
    }
  }
  return needless;
}

/** Exact needless count of the optimiser's selection (see the module comment). */
function selectionNeedless(selection: Selection, trie: UrlTrie): number {
  // Wildcards form an antichain, so their counts add up; objects hit only through an exact URL they
  // share with a changed object are added unless a chosen wildcard covers them already.
  const prefixes = selection.wildcards.map((g) => g.wildcard.slice(0, -1));
  const viaExact = new Set<string>();
  for (const url of selection.exactUrls) {
    for (const own of trie.collisions.get(url) ?? []) {
      if (!prefixes.some((p) => own.startsWith(p))) viaExact.add(own);
    }
  }
  let needless = viaExact.size;
  for (const group of selection.wildcards) needless += group.needless;
  return needless;
}

function chosenReason(group: Group, parsed: ParsedPlanInput, inventoryKnown: boolean, path: string): string {
  const { cost } = parsed;
  const budget = cost.maxPaths;
  const hit = inventoryKnown
    ? plural(group.needless, 'unchanged object')
    : `an unknown number of unchanged objects (assumed ≤ ${group.needless})`;
  const why =
    budget === undefined
      ? `1 path + ${group.needless} × ${cost.needlessWeight} = ${Number((1 + group.needless * cost.needlessWeight).toFixed(4))} is cheaper than ${plural(group.changedUrls, 'path')}`
      : `1 path instead of ${group.changedUrls}, to stay within the budget of ${plural(budget, 'path')}${cost.withinBudget === 'cheapest' ? '' : ' with the fewest needless objects'}`;
  return `${path} covers ${plural(group.changedUrls, 'changed URL')} and ${hit}: ${why}`;
}

function forcedReason(path: string, url: string): string {
  const why = url.includes(UNSUPPORTED_CHARACTER)
    ? "CloudFront does not accept '~' in invalidation paths, encoded or not: this is the narrowest wildcard that ends before it"
    : "a '*' as the last character is always a wildcard, so this URL cannot be named exactly";
  return `${path} covers ${url}: ${why}`;
}

/**
 * The wildcards one plan may use: `wildcardRounds` rounds of the in-flight limit, less what is in
 * flight (see the module comment). The plan and its demand curve (pathDemand) use the same cap.
 */
function wildcardCap(limits: Limits): number {
  return Math.max(0, limits.wildcardRounds * limits.maxWildcardsInFlight - limits.inFlight.wildcards);
}

/** Step 3: the optimiser's wildcards and exact paths, next to the forced wildcards. */
function choosePaths(
  parsed: ParsedPlanInput,
  changed: ChangedUrls,
  trie: UrlTrie,
): { selection: Selection | null; forced: string[] } {
  const { cost } = parsed;
  const available = wildcardCap(parsed.limits);
  const forcedCount = changed.forced.size;
  if (changed.exact.size === 0) return { selection: null, forced: [...changed.forced.keys()] };
  const root = buildGroups(trie, {
    inventoryKnown: parsed.inventory !== undefined,
    assumedPerDirectory: cost.assumedUnchangedPerDirectory,
  });
  const maxPaths = cost.maxPaths === undefined ? undefined : Math.max(1, cost.maxPaths - forcedCount);
  const { selection } = choose(root, parsed, Math.max(0, available - forcedCount), maxPaths);
  // A forced wildcard inside one the optimiser chose is redundant.
  const chosen = selection.wildcards.map((g) => g.wildcard.slice(0, -1));
  const forced = [...changed.forced.keys()].filter((w) => !chosen.some((p) => w.startsWith(p)));
  return { selection, forced };
}

/**
 * Plans the CloudFront invalidation of a deploy, in four steps: the changed URLs
 * (collectChangedUrls), the trie with the inventory (buildTrie), the paths (choosePaths: optimiser
 * plus wildcards forced by URLs no exact path can name), the batches and the report.
 *
 * @example
 * const plan = planInvalidation({
 *   changes: [{ key: 'site/docs/index.html', change: 'modified' }, { key: 'site/img/a.png', change: 'deleted' }],
 *   site: { keyPrefix: 'site/' },
 *   inventory: ['site/docs/index.html', 'site/img/b.png'],
 * });
 * plan.paths;           // ['/*']: 1 path + 1 needless object × 0.02 beats 4 exact paths
 * plan.needlessObjects; // 1 (img/b.png)
 * plan.ignored;         // [] — a key outside 'site/' would be listed here with the reason
 */
export function planInvalidation(input: PlanInput): InvalidationPlan {
  const parsed = parsePlanInput(input);
  const inventoryKnown = parsed.inventory !== undefined;
  const changed = collectChangedUrls(parsed);
  const { trie, unchanged } = buildTrie(parsed, changed);
  if (parsed.invalidateAll) return invalidateAllPlan(parsed, changed, unchanged.length);
  const { selection, forced } = choosePaths(parsed, changed, trie);
  const optimised: WildcardChoice[] = (selection?.wildcards ?? []).map((group) => {
    const path = encodePath(group.wildcard);
    return {
      path,
      changedUrls: group.changedUrls,
      needlessObjects: inventoryKnown ? group.needless : null,
      reason: chosenReason(group, parsed, inventoryKnown, path),
    };
  });
  const forcedChoices: WildcardChoice[] = forced.map((wildcard) => {
    const path = encodePath(wildcard);
    const prefix = wildcard.slice(0, -1);
    return {
      path,
      changedUrls: [...changed.forced.keys()].filter((w) => w.startsWith(prefix)).length,
      needlessObjects: inventoryKnown ? countNeedless([path], unchanged, trie) : null,
      reason: forcedReason(path, changed.forced.get(wildcard) ?? wildcard),
    };
  });
  const wildcards = [...optimised, ...forcedChoices].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const exactPaths = (selection?.exactUrls ?? []).map((url) =>
    parsed.site.queryStrings ? encodePath(`${url}*`) : encodePath(url),
  );
  const allPaths = [...new Set([...exactPaths, ...wildcards.map((w) => w.path)])].sort();
  const exactCount = forced.length === 0 && !parsed.site.queryStrings && selection !== null;
  let needlessObjects: number | null = null;
  if (inventoryKnown)
    needlessObjects = exactCount
      ? selectionNeedless(selection, trie)
      : countNeedless(allPaths, unchanged, trie);
  const budget = parsed.cost.maxPaths;
  return {
    paths: allPaths,
    batches: toBatches(allPaths, parsed.limits),
    billedPaths: allPaths.length,
    urlsCovered: changed.all,
    needlessObjects,
    wildcards,
    ignored: changed.ignored,
    budget: budget === undefined ? null : { maxPaths: budget, met: allPaths.length <= budget },
  };
}

/**
 * The deploy's demand for billed paths at each price (needless objects one path is worth): the paths
 * of the plan with the least price × paths + needless objects, for every price. It falls as the price
 * rises; budget pacing (pacing.ts) compares it, and the site's past demand, with the paths left. The
 * trie and the groups are built once; each price is one tree DP.
 *
 * @example
 * pathDemand({ changes: [...], inventory: [...] }, [1, 100]); // e.g. [12, 1]: 12 exact paths, or `/*`
 */
export function pathDemand(input: PlanInput, prices: readonly number[]): number[] {
  const parsed = parsePlanInput(input);
  const changed = collectChangedUrls(parsed);
  if (parsed.invalidateAll) return prices.map(() => 1);
  const forcedCount = changed.forced.size;
  if (changed.exact.size === 0) return prices.map(() => forcedCount);
  const { trie } = buildTrie(parsed, changed);
  const root = buildGroups(trie, {
    inventoryKnown: parsed.inventory !== undefined,
    assumedPerDirectory: parsed.cost.assumedUnchangedPerDirectory,
  });
  const available = Math.max(0, wildcardCap(parsed.limits) - forcedCount);
  return prices.map((price) => {
    // The cost model's own scoring at weight 1 / price, ties alike: the plan planInvalidation makes.
    const solution = solve(root, byWildcards(1, 1 / price + 1e-9, available, parsed.site.queryStrings));
    const pick = bestIndex(solution, (_index, value) => value)!;
    return paths(reconstruct(solution, pick.index)) + forcedCount;
  });
}

function invalidateAllPlan(
  parsed: ParsedPlanInput,
  changed: ChangedUrls,
  unchanged: number,
): InvalidationPlan {
  const all = encodePath('/*');
  const needless = parsed.inventory === undefined ? null : unchanged;
  const budget = parsed.cost.maxPaths;
  return {
    paths: [all],
    batches: toBatches([all], parsed.limits),
    billedPaths: 1,
    urlsCovered: changed.all,
    needlessObjects: needless,
    wildcards: [
      {
        path: all,
        changedUrls: changed.all,
        needlessObjects: needless,
        reason: '/* requested explicitly (invalidateAll)',
      },
    ],
    ignored: changed.ignored,
    budget: budget === undefined ? null : { maxPaths: budget, met: true },
  };
}
