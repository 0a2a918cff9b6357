/**
 * A line-by-line port of bep/s3deploy's path reduction (lib/cloudfront.go, normalizeInvalidationPaths),
 * with Go's path.Clean / path.Dir, so the benchmark compares against what the tool really does.
 */

/** Go's path.Clean. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's path.Dir: everything before the last slash, cleaned. */
function goDir(path: string): string {
  return goClean(path.slice(0, path.lastIndexOf('/') + 1));
}

/** Go's path.Join (empty elements are skipped). */
function goJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : goClean(nonEmpty.join('/'));
}

function countSlashes(p: string): number {
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 47) n++;
  return n;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * The collapse loop of normalizeInvalidationPaths: while more than `threshold` paths remain, from the
 * deepest level up, replace each path deeper than the level by its grandparent directory + `/*`
 * ("/a/b/c.html" → "/a/*"); still over the threshold at the end → clear all.
 */
function collapse(normalized: string[], maxlevels: number, threshold: number, matchAll: string): string[] {
  let paths = normalized;
  if (paths.length > threshold) {
    for (let k = maxlevels; k > 0; k--) {
      for (let i = 0; i < paths.length; i++) {
        const p = paths[i]!;
        if (countSlashes(p) > k) {
          let parts = goDir(p).replace(/^\//, '').split('/');
          if (parts.length > 1) parts = parts.slice(0, -1);
          paths[i] = `/${goJoin(...parts)}/*`;
        }
      }
      paths = unique(paths);
      if (paths.length <= threshold) break;
    }
    if (paths.length > threshold) return [matchAll];
  }
  if (paths.includes(matchAll)) return [matchAll];
  return paths;
}

/**
 * normalizeInvalidationPaths(root, threshold, force, paths...) as in s3deploy: clean each path, turn
 * anything ending in `index.html` into its directory with a trailing slash (`/docs/index.html` →
 * `/docs/` only: `/docs/index.html` and `/docs` are not invalidated), dedupe, sort, collapse.
 */
export function normalizeInvalidationPaths(
  root: string,
  threshold: number,
  force: boolean,
  paths: string[],
): string[] {
  const rootPath = root.startsWith('/') ? root : `/${root}`;
  const matchAll = goJoin(rootPath, '*');
  if (force) return [matchAll];
  const normalized: string[] = [];
  let maxlevels = 0;
  for (const raw of paths) {
    let p = goClean(raw);
    if (!p.startsWith('/')) p = `/${p}`;
    maxlevels = Math.max(maxlevels, countSlashes(p));
    if (p.endsWith('index.html')) {
      let dir = goDir(p);
      if (!dir.endsWith('/')) dir += '/';
      normalized.push(dir);
    } else normalized.push(p);
  }
  return collapse(unique(normalized).sort(), maxlevels, threshold, matchAll);
}

/**
 * The same collapse applied to every URL form (no `index.html` rewrite, no cleaning that would drop
 * the trailing slash of `/docs/`): misses nothing, since a collapse only widens a path.
 */
export function collapseUrlForms(urls: string[], threshold: number): string[] {
  const forms = unique(urls).sort();
  let maxlevels = 0;
  for (const u of forms) maxlevels = Math.max(maxlevels, countSlashes(u));
  return collapse(forms, maxlevels, threshold, '/*');
}
