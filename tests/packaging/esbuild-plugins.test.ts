/** The esbuild plugins of `custom.esbuild` (serverless/esbuild-plugins.cjs), on their own. */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decode, encode } from '@jridgewell/sourcemap-codec';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { literalTraitKeys, treeShakeableSdkSchemas } = require('../../serverless/esbuild/sdk-schemas.cjs') as {
  literalTraitKeys: (source: string) => string;
  treeShakeableSdkSchemas: Plugin;
};
interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}
const { firstPartyOnly, firstPartySourceMaps } =
  require('../../serverless/esbuild/first-party-source-maps.cjs') as {
    firstPartyOnly: (map: SourceMap) => SourceMap;
    firstPartySourceMaps: Plugin;
  };

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'shipyard-esbuild-plugins-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles `source` as custom.esbuild does, resolving packages from the repository. */
const bundle = async (name: string, source: string, plugins: Plugin[]) => {
  const outfile = join(work, name, 'handler.mjs');
  await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: `${name}.entry.ts`, loader: 'ts' },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
    plugins,
  });
  return {
    code: readFileSync(outfile, 'utf8'),
    map: JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as SourceMap,
  };
};

describe('tree-shakeable SDK schemas', () => {
  it('writes computed trait keys as the string their constant holds, values untouched', () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _xN = "xmlName";',
      'const _m = "min";',
      'export var Count$ = [3, n0, _C, 0, [_M], [[1, { [_eQN]: `Min`, [_xN]: _m }]]];',
      'export var Other$ = { [_unknown]: 1 };',
    ].join('\n');
    const out = literalTraitKeys(source);
    expect(out).toContain('{ "ec2QueryName": `Min`, "xmlName": _m }');
    // A name the module's string table does not define is left as it was.
    expect(out).toContain('{ [_unknown]: 1 }');
    expect(out.split('\n').slice(0, 3)).toEqual(source.split('\n').slice(0, 3));
  });

  // aws/aws-sdk-js-v3#7607: with computed keys esbuild keeps every schema of the client.
  it('lets esbuild drop the EC2 schemas of operations a bundle never sends', async () => {
    const source = [
      "import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';",
      'export const send = () => new EC2Client({}).send(new DescribeImagesCommand({}));',
    ].join('\n');
    const without = await bundle('schemas-without', source, []);
    const withPlugin = await bundle('schemas-with', source, [treeShakeableSdkSchemas]);
    expect(without.code).toContain('"WithdrawByoipCidrResult"');
    expect(withPlugin.code).not.toContain('"WithdrawByoipCidrResult"');
    expect(withPlugin.code).toContain('"DescribeImagesRequest"');
    expect(withPlugin.code.length).toBeLessThan(without.code.length / 2);
  });
});

describe('first-party source maps', () => {
  it('keeps the segments of our sources, renumbered, and drops those of dependencies', () => {
    const map: SourceMap = {
      version: 3,
      sources: ['../../node_modules/zod/v4/core/api.js', '../../shared/backup/plan.ts'],
      names: ['dep', 'planBackup'],
      mappings: encode([
        [
          [0, 0, 10, 2, 0],
          [5, 1, 3, 4, 1],
        ],
        [[0, 1, 7, 0]],
        [[1]],
      ]),
    };
    const out = firstPartyOnly(map);
    expect(out.sources).toEqual(['../../shared/backup/plan.ts']);
    expect(out.names).toEqual(['planBackup']);
    expect(decode(out.mappings)).toEqual([[[5, 0, 3, 4, 0]], [[0, 0, 7, 0]], []]);
  });

  it('rewrites the map esbuild writes: product sources only, still pointing into them', async () => {
    const source = [
      "import * as z from 'zod';",
      'export const parse = (input: unknown) => z.object({ id: z.string() }).parse(input);',
    ].join('\n');
    const full = await bundle('maps-without', source, []);
    const small = await bundle('maps-with', source, [firstPartySourceMaps]);
    expect(full.map.sources.some((s) => s.includes('node_modules/zod/'))).toBe(true);
    expect(small.map.sources).toEqual([expect.stringMatching(/maps-with\.entry\.ts$/)]);
    expect(decode(small.map.mappings).flat().length).toBeGreaterThan(0);
  });
});
