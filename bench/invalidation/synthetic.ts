/**
 * Synthetic deploys for the scaling run: a 1,000,000-key site (100 sections × 100 directories × 100
 * files, one of them index.html) and n changed keys — half whole rebuilt directories, half scattered.
 */

/** mulberry32: a small seeded PRNG, so every run plans the same deploy. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function key(section: number, dir: number, file: number): string {
  return file === 0 ? `s${section}/d${dir}/index.html` : `s${section}/d${dir}/f${file}.html`;
}

/** The 1,000,000 keys of the synthetic site, sorted as an S3 listing returns them. */
export function syntheticInventory(): string[] {
  const keys: string[] = [];
  for (let s = 0; s < 100; s++)
    for (let d = 0; d < 100; d++) for (let f = 0; f < 100; f++) keys.push(key(s, d, f));
  return keys.sort();
}

/** n distinct changed keys of the synthetic site. */
export function syntheticChanges(n: number, seed = 42): string[] {
  const random = prng(seed);
  const changed = new Set<string>();
  while (changed.size < n / 2) {
    const s = Math.floor(random() * 100);
    const d = Math.floor(random() * 100);
    for (let f = 0; f < 100 && changed.size < n / 2; f++) changed.add(key(s, d, f));
  }
  while (changed.size < n) {
    changed.add(key(Math.floor(random() * 100), Math.floor(random() * 100), Math.floor(random() * 100)));
  }
  return [...changed];
}
