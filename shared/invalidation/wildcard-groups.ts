/**
 * Candidate wildcards arranged as a tree of groups. A group is one candidate wildcard together with
 * what covers its changed URLs when the wildcard is not chosen: smaller groups and exact paths.
 *
 * Candidates, for each directory `/P/` of the changed URLs:
 * - `/P/*`  (directory wildcard): the whole subtree, `/P/` itself included;
 * - `/P/x*` (prefix wildcard) for every prefix `x` where the names of the changed entries of `/P/`
 *   branch (the longest common prefix of each pair of neighbours in sorted order; a changed
 *   subdirectory `d` counts as the name `d/`). That yields `/P/docs*` for a changed `docs/index.html`
 *   (`/P/docs`, `/P/docs/` and everything below in one path) and `/P/e*` for changes in `elf/`,
 *   `ext2/` and `ethernet/`. Any other prefix covers the same changed entries as one of these with at
 *   least as many unchanged ones, so these are all the candidates needed. Everything a prefix also
 *   matches (`/P/docs-old/…`, `/P/docs.html`) is counted as needless. Prefix ranges at one directory
 *   nest or are disjoint (`/P/d*` ⊃ `/P/docs*`), so they form a forest.
 * The root group is `/*`.
 */
import type { DirNode, UrlTrie } from './url-trie.ts';

export interface Group {
  /** Decoded wildcard path, ending in `*`. */
  readonly wildcard: string;
  /** Unchanged objects the wildcard hits (exact with an inventory, else the assumed worst case). */
  needless: number;
  /** Changed URLs the wildcard covers. */
  changedUrls: number;
  readonly children: Group[];
  /** Changed URLs covered by exact paths when neither this wildcard nor a child group's is chosen. */
  readonly exactUrls: string[];
  /** Unchanged objects those exact paths hit (URL collisions; 0 without an inventory). */
  exactNeedless: number;
}

export interface GroupOptions {
  /** true: counts in the trie are the inventory's; false: assume `assumedPerDirectory` per known directory. */
  readonly inventoryKnown: boolean;
  readonly assumedPerDirectory: number;
}

function newGroup(wildcard: string): Group {
  return { wildcard, needless: 0, changedUrls: 0, children: [], exactUrls: [], exactNeedless: 0 };
}

interface Base {
  readonly name: string;
  readonly group: Group;
  parent: Base | null;
  /** The node child named like the base, if any. */
  node: Group | null;
  members: number;
  knownDirs: number;
}

/**
 * Builds the group tree of a trie.
 *
 * @example
 * const root = buildGroups(finishTrie(buildUrlTrie(['/docs/a.html', '/docs/b.html'])), { inventoryKnown: false, assumedPerDirectory: 1000 });
 * root.wildcard; // '/*'
 */
export function buildGroups(trie: UrlTrie, options: GroupOptions): Group {
  return groupOfNode(trie.root, trie, options);
}

/** Longest common prefixes of neighbouring changed entry names (sorted), without '' and duplicates. */
function candidatePrefixes(node: DirNode): string[] {
  const entries = [...node.changedNames.filter((name) => name !== '')];
  for (const name of node.children.keys()) entries.push(`${name}/`);
  entries.sort();
  const prefixes = new Set<string>();
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1]!;
    const b = entries[i]!;
    let n = 0;
    const max = Math.min(a.length, b.length);
    while (n < max && a.charCodeAt(n) === b.charCodeAt(n)) n++;
    // Never split a surrogate pair: the wildcard must end on a whole character.
    if (n > 0 && n < a.length && a.charCodeAt(n - 1) >= 0xd800 && a.charCodeAt(n - 1) <= 0xdbff) n--;
    if (n > 0) prefixes.add(a.slice(0, n));
  }
  return [...prefixes].sort();
}

/** One base per candidate prefix, each linked to the longest candidate it extends. */
function prefixBases(node: DirNode): Base[] {
  const bases: Base[] = candidatePrefixes(node).map((name) => ({
    name,
    group: newGroup(`${node.prefix}${name}*`),
    parent: null,
    node: null,
    members: 0,
    knownDirs: 0,
  }));
  const stack: Base[] = [];
  for (const base of bases) {
    while (stack.length > 0 && !base.name.startsWith(stack[stack.length - 1]!.name)) stack.pop();
    base.parent = stack[stack.length - 1] ?? null;
    stack.push(base);
  }
  return bases;
}

type DeepestBase = (name: string) => Base | null;

/** The longest base that is a prefix of a name (bases sorted by name). */
function deepestBaseOf(bases: readonly Base[]): DeepestBase {
  const names = bases.map((b) => b.name);
  return (name) => {
    // Largest base ≤ name; if it is not a prefix of name, the deepest prefix is one of its ancestors.
    let lo = 0;
    let hi = names.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (names[mid]! <= name) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let base = found === -1 ? null : bases[found]!;
    while (base !== null && !name.startsWith(base.name)) base = base.parent;
    return base;
  };
}

/** Subdirectory groups go under the deepest prefix that matches their name, else under the node's. */
function placeSubdirectories(
  group: Group,
  node: DirNode,
  trie: UrlTrie,
  options: GroupOptions,
  deepest: DeepestBase,
) {
  for (const childNode of node.children.values()) {
    const child = groupOfNode(childNode, trie, options);
    const base = deepest(childNode.name);
    if (base === null) {
      group.children.push(child);
      continue;
    }
    if (base.name === childNode.name) base.node = child;
    base.group.children.push(child);
    base.group.changedUrls += childNode.changedUrls;
    base.group.needless += childNode.unchanged;
    base.knownDirs += childNode.knownDirs;
    base.members += 1;
  }
}

/** Changed URLs of the directory itself become exact paths of the deepest matching group. */
function placeChangedUrls(group: Group, node: DirNode, trie: UrlTrie, deepest: DeepestBase): void {
  for (const name of node.changedNames) {
    const url = `${node.prefix}${name}`;
    const hits = trie.collisions.get(url)?.length ?? 0;
    const base = name === '' ? null : deepest(name);
    const target = base === null ? group : base.group;
    target.exactUrls.push(url);
    target.exactNeedless += hits;
    if (base !== null) {
      base.group.changedUrls += 1;
      base.members += 1;
    }
  }
}

/** Rolls nested bases up into their parents (children sort after their parents), then attaches them. */
function attachBases(group: Group, bases: readonly Base[], options: GroupOptions): void {
  for (let i = bases.length - 1; i >= 0; i--) {
    const base = bases[i]!;
    if (!options.inventoryKnown) {
      // Unknown siblings matching the prefix count as one more directory of the assumed size.
      base.group.needless = options.assumedPerDirectory * (base.knownDirs + 1);
    }
    const parent = base.parent;
    if (parent !== null) {
      parent.group.changedUrls += base.group.changedUrls;
      parent.knownDirs += base.knownDirs;
      parent.members += base.members;
      if (options.inventoryKnown) parent.group.needless += base.group.needless;
    }
    const target = parent === null ? group : parent.group;
    // A prefix wildcard that covers nothing but its own directory is never better than `/P/d/*`.
    const trivial = base.members === 1 && base.node !== null && base.group.exactUrls.length === 0;
    if (trivial && base.node !== null) target.children.push(base.node);
    else target.children.push(base.group);
  }
}

function groupOfNode(node: DirNode, trie: UrlTrie, options: GroupOptions): Group {
  const group = newGroup(`${node.prefix}*`);
  group.changedUrls = node.changedUrls;
  group.needless = options.inventoryKnown ? node.unchanged : options.assumedPerDirectory * node.knownDirs;
  const bases = prefixBases(node);
  const deepest = deepestBaseOf(bases);
  placeSubdirectories(group, node, trie, options, deepest);
  placeChangedUrls(group, node, trie, deepest);
  if (options.inventoryKnown && bases.length > 0) {
    for (const [name, count] of node.unchangedNames) {
      const base = deepest(name);
      if (base !== null) base.group.needless += count;
    }
  }
  attachBases(group, bases, options);
  return group;
}
