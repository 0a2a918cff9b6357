/**
 * A directory trie over the changed URLs, with the unchanged inventory counted into it once.
 * Every later question ("how many unchanged objects would `/img/*` hit?") is a lookup, never a scan.
 */

/** One directory of the changed URLs (`prefix` is decoded and ends with `/`). */
export interface DirNode {
  readonly prefix: string;
  /** Segment name without `/` ('' for the root). */
  readonly name: string;
  readonly children: Map<string, DirNode>;
  /** Changed URLs directly in this directory, by name ('' is the directory URL itself). */
  readonly changedNames: string[];
  /**
   * Unchanged objects placed by their own URL directly here and not inside a child node: by name,
   * `x/` for a directory without changes, `x` for a file.
   */
  readonly unchangedNames: Map<string, number>;
  /** Changed URLs in the subtree (this directory included). */
  changedUrls: number;
  /** Unchanged objects whose own URL is in the subtree. */
  unchanged: number;
  /** Directory nodes in the subtree, this one included. */
  knownDirs: number;
}

/** The trie plus what exact paths would hit besides the changed objects. */
export interface UrlTrie {
  readonly root: DirNode;
  /**
   * Changed URL → own URLs of the unchanged objects also served under it (key `docs` and a changed
   * `docs/index.html` share `/docs`): an exact path for that URL hits them too.
   */
  readonly collisions: Map<string, string[]>;
  /** The changed URLs without their leading `/` (lookups without building strings). */
  readonly changedRelative: Set<string>;
}

function newNode(prefix: string, name: string): DirNode {
  return {
    prefix,
    name,
    children: new Map(),
    changedNames: [],
    unchangedNames: new Map(),
    changedUrls: 0,
    unchanged: 0,
    knownDirs: 1,
  };
}

function nodeFor(root: DirNode, dir: string, byPrefix: Map<string, DirNode>): DirNode {
  const cached = byPrefix.get(dir);
  if (cached) return cached;
  const cut = dir.lastIndexOf('/', dir.length - 2);
  const parent = nodeFor(root, dir.slice(0, cut + 1), byPrefix);
  const name = dir.slice(cut + 1, -1);
  const node = newNode(dir, name);
  parent.children.set(name, node);
  byPrefix.set(dir, node);
  return node;
}

/**
 * Builds the trie of the changed URLs (decoded, each starting with `/`). Count the unchanged objects
 * in with {@link addUnchanged}, then call {@link finishTrie}.
 *
 * @example
 * const trie = buildUrlTrie(['/docs/a.html', '/docs/']);
 * addUnchanged(trie, 'docs/b.html', { indexDocument: 'index.html', defaultRootObject: 'index.html' });
 * finishTrie(trie).root.unchanged; // 1
 */
export function buildUrlTrie(changedUrls: Iterable<string>): UrlTrie {
  const root = newNode('/', '');
  const byPrefix = new Map<string, DirNode>([['/', root]]);
  const changedRelative = new Set<string>();
  for (const url of changedUrls) {
    const rel = url.slice(1);
    if (changedRelative.has(rel)) continue;
    changedRelative.add(rel);
    const cut = url.lastIndexOf('/');
    nodeFor(root, url.slice(0, cut + 1), byPrefix).changedNames.push(url.slice(cut + 1));
  }
  return { root, collisions: new Map(), changedRelative };
}

/** How an unchanged key's other URL forms are derived (see url-forms.ts). */
export interface IndexNames {
  readonly indexDocument: string | null;
  readonly defaultRootObject: string | null;
  /** Directory URLs that are cache keys of an unchanged index ('always' ones); all when absent. */
  readonly directoryUrls?: { readonly slash: string; readonly bare: string };
}

function collide(trie: UrlTrie, rel: string, url: string): void {
  if (!trie.changedRelative.has(url.slice(1))) return;
  const own = `/${rel}`;
  const list = trie.collisions.get(url);
  if (list) list.push(own);
  else trie.collisions.set(url, [own]);
}

/**
 * Counts one unchanged object (key relative to the origin path) into the trie: placed at its own URL
 * (a wildcard covering any of an object's URLs also covers its own URL, of which the others are
 * prefixes), in O(depth) and without building strings on the common path. Also records where an exact
 * path for a changed URL would hit it.
 */
export function addUnchanged(trie: UrlTrie, rel: string, names: IndexNames): void {
  placeUnchanged(trie.root, rel);
  if (trie.changedRelative.has(rel)) collide(trie, rel, `/${rel}`);
  const index = names.indexDocument;
  if (index !== null && rel.endsWith(index) && rel.charCodeAt(rel.length - index.length - 1) === 47) {
    const dir = rel.slice(0, rel.length - index.length);
    if ((names.directoryUrls?.slash ?? 'always') === 'always') collide(trie, rel, `/${dir}`);
    if ((names.directoryUrls?.bare ?? 'always') === 'always') collide(trie, rel, `/${dir.slice(0, -1)}`);
  }
  if (rel === names.defaultRootObject) collide(trie, rel, '/');
}

/** Computes the subtree totals once every unchanged object is in. */
export function finishTrie(trie: UrlTrie): UrlTrie {
  summarise(trie.root);
  return trie;
}

function placeUnchanged(root: DirNode, rel: string): void {
  let node = root;
  let start = 0;
  for (;;) {
    const slash = rel.indexOf('/', start);
    if (slash === -1) {
      const name = start === 0 ? rel : rel.slice(start);
      node.unchangedNames.set(name, (node.unchangedNames.get(name) ?? 0) + 1);
      return;
    }
    const segment = rel.slice(start, slash);
    const child = node.children.get(segment);
    if (!child) {
      const name = `${segment}/`;
      node.unchangedNames.set(name, (node.unchangedNames.get(name) ?? 0) + 1);
      return;
    }
    node = child;
    start = slash + 1;
  }
}

function summarise(node: DirNode): void {
  let changed = node.changedNames.length;
  let unchanged = 0;
  let dirs = 1;
  for (const count of node.unchangedNames.values()) unchanged += count;
  for (const child of node.children.values()) {
    summarise(child);
    changed += child.changedUrls;
    unchanged += child.unchanged;
    dirs += child.knownDirs;
  }
  node.changedUrls = changed;
  node.unchanged = unchanged;
  node.knownDirs = dirs;
}
