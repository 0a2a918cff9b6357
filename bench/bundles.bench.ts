/**
 * Bundle benchmark: packages the service (`serverless package`, offline), then for every
 * function prints its zip size, the size of its handler module, and its module init time: the
 * median of several cold `await import(handler.mjs)` in a fresh `node` process each, with the
 * function's environment from the template (NODE_OPTIONS=--enable-source-maps included, as in
 * Lambda). Handlers are never invoked. It reports numbers only; nothing fails on a timing.
 *
 * Run: npx tsx bench/bundles.bench.ts [--runs 7] [--dir DIR] [--json]
 *   --dir DIR  package into DIR (kept) instead of a fresh temporary folder
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import {
  DEPLOY_EVENT_FUNCTIONS,
  type FunctionBundle,
  functionBundles,
  handlerCode,
  MAX_BUNDLE_BYTES,
  unpackBundle,
} from '../scripts/bundles.ts';
import { packageService } from '../scripts/package-service.ts';

const run = promisify(execFile);
const INIT_TARGET_MS = 200;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);

/** One cold import in a fresh process; the child prints the milliseconds it measured. */
const coldImport = async (bundle: FunctionBundle, root: string): Promise<number> => {
  const url = pathToFileURL(join(root, bundle.handlerFile)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: `shipyard-dev-${bundle.key}`,
      ...bundle.environment,
    },
  });
  return Number(stdout);
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const main = async () => {
  const started = performance.now();
  const packaged = await packageService('dev', args.dir);
  const packagedMs = performance.now() - started;
  const bundles = await functionBundles(packaged);
  const work = await mkdtemp(join(tmpdir(), 'shipyard-bundles-'));
  const rows = [];
  try {
    for (const bundle of bundles) {
      const root = join(work, bundle.key);
      await unpackBundle(bundle, root);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await coldImport(bundle, root));
      rows.push({
        fn: bundle.key,
        zipBytes: bundle.zipBytes,
        mjsBytes: handlerCode(bundle).length,
        initMs: Number(median(times).toFixed(1)),
        runs: RUNS,
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (args.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  console.log(
    `packaged ${bundles.length} functions into ${packaged.dir} in ${(packagedMs / 1000).toFixed(1)} s`,
  );
  console.log(`init = median of ${RUNS} cold imports, each in a fresh node ${process.version} process\n`);
  console.log('| function               |      zip | handler .mjs | init ms |');
  console.log('|------------------------|---------:|-------------:|--------:|');
  for (const r of rows)
    console.log(
      `| ${r.fn.padEnd(22)} | ${kb(r.zipBytes).padStart(8)} | ${kb(r.mjsBytes).padStart(12)} | ${r.initMs.toFixed(1).padStart(7)} |`,
    );
  const deployPath = rows.filter((r) => (DEPLOY_EVENT_FUNCTIONS as readonly string[]).includes(r.fn));
  const slow = deployPath.filter((r) => r.initMs >= INIT_TARGET_MS).map((r) => r.fn);
  const big = rows.filter((r) => r.zipBytes > MAX_BUNDLE_BYTES).map((r) => r.fn);
  console.log(
    `\ntargets: deploy-event functions init < ${INIT_TARGET_MS} ms: ${slow.length === 0 ? 'yes' : `NO (${slow.join(', ')})`}; ` +
      `no zip > ${kb(MAX_BUNDLE_BYTES)}: ${big.length === 0 ? 'yes' : `NO (${big.join(', ')})`}`,
  );
};

await main();
