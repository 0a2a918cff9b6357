/**
 * Tree dynamic programme over the group tree (see wildcard-groups.ts).
 *
 * Each group gets a table indexed by one resource — wildcards used, or paths used — holding the least
 * value of covering every changed URL of the group with that much of the resource. A group's table is
 * the elementwise minimum of (a) its own wildcard and (b) the min-plus merge of its children's tables
 * and its exact paths. Tables are at most `size` long (the wildcard cap + 1: 61 for four rounds of 15;
 * budget + 1 for paths), so the
 * programme is O(groups × size²) and needs no scan of the inventory: the needless counts were
 * precomputed in the trie.
 *
 * Two scorings:
 * - `byWildcards(pathCost, needlessCost, maxWildcards)`: index = wildcards, value = pathCost·paths +
 *   needlessCost·needless. With (1, weight) this is the cost model; with (λ, 1) it is the Lagrangian
 *   relaxation of a path budget (see plan.ts).
 * - `byPaths(maxPaths, wildcardPrice)`: index = billed paths, value = needless objects (+ the
 *   wildcard price per wildcard). Exact for a budget; the wildcard limit holds by itself when
 *   maxPaths ≤ the wildcards available, and above that the wildcard price relaxes it (mixed plans,
 *   plan.ts). tableCells counts a programme's merge cells beforehand, to bound it.
 */
import { PlannerInvariantError } from './errors.ts';
import type { Group } from './wildcard-groups.ts';

export interface Scoring {
  /** Table length: largest index + 1. */
  readonly size: number;
  /** Index and value of `paths` exact paths hitting `needless` unchanged objects. */
  exact(paths: number, needless: number): { readonly index: number; readonly value: number };
  /** Index and value of one wildcard hitting `needless` unchanged objects. */
  wildcard(needless: number): { readonly index: number; readonly value: number };
}

/**
 * Cost scoring indexed by wildcards used. `exactIsWildcard`: every exact path is sent as `/url*` (a
 * site whose cache key includes query strings), so it uses a wildcard too.
 *
 * @example
 * byWildcards(1, 0.01, 15).wildcard(300); // { index: 1, value: 4 }
 */
export function byWildcards(
  pathCost: number,
  needlessCost: number,
  maxWildcards: number,
  exactIsWildcard = false,
): Scoring {
  return {
    size: maxWildcards + 1,
    exact: (paths, needless) => ({
      index: exactIsWildcard ? paths : 0,
      value: pathCost * paths + needlessCost * needless,
    }),
    wildcard: (needless) => ({ index: 1, value: pathCost + needlessCost * needless }),
  };
}

/**
 * Needless scoring indexed by paths used (for a budget of `maxPaths`). `wildcardPrice` adds that much
 * to the value of every wildcard: the Lagrangian relaxation of the wildcard limit, for budgets larger
 * than the wildcards available (plan.ts, mixed plans); 0 where the limit holds by itself.
 *
 * @example
 * byPaths(8).exact(3, 0); // { index: 3, value: 0 }
 * byPaths(100, 5).wildcard(40); // { index: 1, value: 45 }
 */
export function byPaths(maxPaths: number, wildcardPrice = 0): Scoring {
  return {
    size: maxPaths + 1,
    exact: (paths, needless) => ({ index: paths, value: needless }),
    wildcard: (needless) => ({ index: 1, value: needless + wildcardPrice }),
  };
}

interface Solved {
  readonly table: Float64Array;
  /** 1 where the group's own wildcard is the best choice at that index. */
  readonly pickWildcard: Uint8Array;
  /** prefix[i] = merge of the exact bundle and the first i children. */
  readonly prefix: Float64Array[];
}

/** Result of a solved programme: tables per group, ready for reconstruction. */
export interface Solution {
  readonly root: Group;
  readonly scoring: Scoring;
  readonly solved: Map<Group, Solved>;
}

function merge(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const length = Math.min(size, a.length + b.length - 1);
  const out = new Float64Array(length).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    if (ai === Number.POSITIVE_INFINITY) continue;
    const top = Math.min(b.length, length - i);
    for (let j = 0; j < top; j++) {
      const v = ai + b[j]!;
      if (v < out[i + j]!) out[i + j] = v;
    }
  }
  return out;
}

function exactTable(group: Group, scoring: Scoring): Float64Array {
  const { index, value } = scoring.exact(group.exactUrls.length, group.exactNeedless);
  if (index >= scoring.size) return new Float64Array(0);
  const table = new Float64Array(index + 1).fill(Number.POSITIVE_INFINITY);
  table[index] = value;
  return table;
}

/** The groups parents before children (iteratively: deep trees do not grow the call stack); walked backwards, children come first. */
function preOrder(root: Group): Group[] {
  const order: Group[] = [];
  const pending: Group[] = [root];
  while (pending.length > 0) {
    const group = pending.pop()!;
    order.push(group);
    for (const child of group.children) pending.push(child);
  }
  return order;
}

/**
 * The table cells `solve` would visit in its merges (Σ of the two table lengths of every merge), in
 * O(groups) without solving: what bounds a path-indexed programme before it is run.
 *
 * @example
 * tableCells(root, byPaths(1000)) <= 2e7; // the mixed-plan bound in plan.ts
 */
export function tableCells(root: Group, scoring: Scoring): number {
  const lengths = new Map<Group, number>();
  const order = preOrder(root);
  let cells = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const group = order[k]!;
    const { index } = scoring.exact(group.exactUrls.length, group.exactNeedless);
    let sub = index >= scoring.size ? 0 : index + 1;
    for (const child of group.children) {
      const childLength = lengths.get(child)!;
      if (sub === 0 || childLength === 0) sub = 0;
      else {
        cells += sub * childLength;
        sub = Math.min(scoring.size, sub + childLength - 1);
      }
    }
    const own = scoring.wildcard(group.needless).index;
    lengths.set(group, Math.max(sub, own < scoring.size ? own + 1 : 0));
  }
  return cells;
}

/**
 * Solves the programme bottom-up (iteratively: deep trees do not grow the call stack).
 *
 * @example
 * const solution = solve(rootGroup, byWildcards(1, 0.01, 15));
 * const { index } = bestIndex(solution, (i, v) => v);
 */
export function solve(root: Group, scoring: Scoring): Solution {
  const solved = new Map<Group, Solved>();
  const order = preOrder(root);
  for (let k = order.length - 1; k >= 0; k--) {
    const group = order[k]!;
    const prefix: Float64Array[] = [exactTable(group, scoring)];
    let sub = prefix[0]!;
    for (const child of group.children) {
      const childTable = solved.get(child)!.table;
      sub =
        sub.length === 0 || childTable.length === 0
          ? new Float64Array(0)
          : merge(sub, childTable, scoring.size);
      prefix.push(sub);
    }
    const own = scoring.wildcard(group.needless);
    const canWildcard = own.index < scoring.size;
    const length = Math.max(sub.length, canWildcard ? own.index + 1 : 0);
    const table = new Float64Array(length).fill(Number.POSITIVE_INFINITY);
    table.set(sub);
    const pickWildcard = new Uint8Array(length);
    if (canWildcard && own.value < table[own.index]!) {
      table[own.index] = own.value;
      pickWildcard[own.index] = 1;
    }
    solved.set(group, { table, pickWildcard, prefix });
  }
  return { root, scoring, solved };
}

/**
 * The root index to reconstruct: the feasible one with the least `objective(index, value)`; ties go
 * to the smaller index (fewer wildcards or paths). null when nothing is feasible.
 */
export function bestIndex(
  solution: Solution,
  objective: (index: number, value: number) => number,
): { readonly index: number; readonly value: number } | null {
  const table = solution.solved.get(solution.root)!.table;
  let best: { index: number; value: number } | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = 0; i < table.length; i++) {
    const value = table[i]!;
    if (value === Number.POSITIVE_INFINITY) continue;
    const score = objective(i, value);
    if (score < bestScore) {
      bestScore = score;
      best = { index: i, value };
    }
  }
  return best;
}

/** Groups whose wildcard is chosen and the changed URLs left to exact paths, for a root index. */
export interface Selection {
  readonly wildcards: Group[];
  readonly exactUrls: string[];
  readonly exactNeedless: number;
}

/**
 * Walks the tables back down from `index` at the root and collects the chosen wildcards and exact URLs.
 *
 * @example
 * const pick = bestIndex(solution, (_i, v) => v);
 * if (pick) reconstruct(solution, pick.index).wildcards.map((g) => g.wildcard);
 */
export function reconstruct(solution: Solution, index: number): Selection {
  const wildcards: Group[] = [];
  const exactUrls: string[] = [];
  let exactNeedless = 0;
  const pending: Array<[Group, number]> = [[solution.root, index]];
  while (pending.length > 0) {
    const [group, at] = pending.pop()!;
    const state = solution.solved.get(group)!;
    if (state.pickWildcard[at] === 1) {
      wildcards.push(group);
      continue;
    }
    let remaining = at;
    for (let c = group.children.length; c >= 1; c--) {
      const before = state.prefix[c - 1]!;
      const childTable = solution.solved.get(group.children[c - 1]!)!.table;
      const target = state.prefix[c]![remaining]!;
      let split = -1;
      for (let j = 0; j < childTable.length && j <= remaining; j++) {
        const a = before[remaining - j];
        if (a !== undefined && a + childTable[j]! === target) {
          split = j;
          break;
        }
      }
      if (split === -1)
        throw new PlannerInvariantError(`no table split for ${group.wildcard} at index ${remaining}`);
      pending.push([group.children[c - 1]!, split]);
      remaining -= split;
    }
    for (const url of group.exactUrls) exactUrls.push(url);
    exactNeedless += group.exactNeedless;
  }
  return { wildcards, exactUrls, exactNeedless };
}
