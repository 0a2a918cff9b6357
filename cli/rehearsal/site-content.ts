/**
 * Two releases of each demo site. Pure data: file path → content. The second release changes,
 * adds and removes files, including names that need CloudFront encoding (space, unicode).
 */
export type Files = Record<string, string>;

const page = (title: string, version = 1) =>
  `<html><title>${title}</title><body>${title} v${version}</body></html>`;

export const webRelease = (version: 1 | 2): Files => {
  const files: Files = { 'index.html': page('home', version), 'about/index.html': page('about') };
  for (let i = 1; i <= 40; i += 1) files[`img/photo-${i}.jpg`] = `jpeg ${i}`;
  for (let i = 1; i <= 12; i += 1) files[`blog/post-${i}.html`] = page(`post ${i}`);
  if (version === 2) {
    files['blog/post-3.html'] = page('post 3', 2);
    files['blog/post-13.html'] = page('post 13', 2);
    files['blog/index.html'] = page('blog', 2);
    files['img/photo-41.jpg'] = 'jpeg 41';
    delete files['img/photo-7.jpg'];
  }
  return files;
};

export const docsRelease = (version: 1 | 2): Files => {
  const files: Files = { 'index.html': page('docs', version), 'guide/index.html': page('guide') };
  for (let i = 1; i <= 30; i += 1) files[`guide/chapter-${i}.html`] = page(`chapter ${i}`);
  for (let i = 1; i <= 60; i += 1) files[`api/v1/type-${i}.html`] = page(`type ${i}`);
  for (let i = 1; i <= 25; i += 1) files[`figures/fig-${i}.svg`] = `<svg>${i}</svg>`;
  if (version === 2) {
    // A regenerated API reference (every page), a few guide edits, additions and removals.
    for (let i = 1; i <= 60; i += 1) files[`api/v1/type-${i}.html`] = page(`type ${i}`, 2);
    files['guide/chapter-2.html'] = page('chapter 2', 2);
    files['guide/getting started.html'] = page('getting started', 2);
    files['guide/ünïcode.html'] = page('unicode', 2);
    files['figures/fig-26.svg'] = '<svg>26</svg>';
    delete files['guide/chapter-30.html'];
    delete files['figures/fig-3.svg'];
  }
  return files;
};

/** What changed between two releases, as a deploy tool would upload and delete it. */
export const diffReleases = (before: Files, after: Files): { upload: Files; remove: string[] } => {
  const upload: Files = {};
  for (const [path, body] of Object.entries(after)) if (before[path] !== body) upload[path] = body;
  const remove = Object.keys(before).filter((path) => !(path in after));
  return { upload, remove };
};
