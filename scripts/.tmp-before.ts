import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionBundles, handlerCode, unpackBundle } from './bundles.ts';
const run = promisify(execFile);
const dir = process.argv[2] ?? '/tmp/pkg1';
const template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
const bundles = await functionBundles({ dir, stage: 'dev', template, templatePath: '' });
const work = await mkdtemp(join(tmpdir(), 'before-'));
for (const b of bundles) {
  const root = join(work, b.key); await unpackBundle(b, root);
  const url = pathToFileURL(join(root, b.handlerFile)).href;
  const t: number[] = [];
  for (let i = 0; i < 7; i++) { const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const t=performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now()-t))`], { cwd: root, env: { AWS_REGION: 'us-east-1', ...b.environment } }); t.push(Number(stdout)); }
  t.sort((a, c) => a - c);
  console.log(b.key, Math.round(b.zipBytes / 1024), Math.round(handlerCode(b).length / 1024), t[3]?.toFixed(1));
}
