/**
 * Source maps for our own code only. A stack trace needs file:line of the product's frames
 * (NODE_OPTIONS=--enable-source-maps); mapping every SDK and library statement as well made
 * the map 1.3 MB, more than half of each zip. This plugin removes from each written map the
 * segments, sources and names that come from node_modules: product frames still resolve to
 * their .ts file and line, dependency frames stay at their position in handler.mjs.
 */
const { readFile, writeFile } = require('node:fs/promises');
const { resolve } = require('node:path');
const { decode, encode } = require('@jridgewell/sourcemap-codec');

const isDependency = (source) => /(^|[\\/])node_modules[\\/]/.test(source);

/** The map with only the segments whose source is not a dependency, indexes renumbered. */
const firstPartyOnly = (map) => {
  const sources = [];
  const names = [];
  const sourceIndex = new Map();
  const nameIndex = new Map();
  const renumber = (index, from, to, table) => {
    if (!table.has(index)) {
      table.set(index, to.length);
      to.push(from[index]);
    }
    return table.get(index);
  };
  const lines = decode(map.mappings).map((line) =>
    line.flatMap((segment) => {
      if (segment.length === 1 || isDependency(map.sources[segment[1]])) return [];
      const [column, source, sourceLine, sourceColumn, name] = segment;
      const kept = [column, renumber(source, map.sources, sources, sourceIndex), sourceLine, sourceColumn];
      if (segment.length === 5) kept.push(renumber(name, map.names, names, nameIndex));
      return [kept];
    }),
  );
  return { ...map, sources, names, mappings: encode(lines) };
};

const firstPartySourceMaps = {
  name: 'first-party-source-maps',
  setup(build) {
    // Rewrites the written maps: serverless-esbuild always writes (a write: false build is left as is).
    if (build.initialOptions.write === false) return;
    // The output paths come from the metafile (with write: true there are no outputFiles).
    build.initialOptions.metafile = true;
    const root = build.initialOptions.absWorkingDir ?? process.cwd();
    build.onEnd(async (result) => {
      if (!result.metafile) return;
      for (const output of Object.keys(result.metafile.outputs)) {
        if (!output.endsWith('.map')) continue;
        const path = resolve(root, output);
        const map = JSON.parse(await readFile(path, 'utf8'));
        await writeFile(path, JSON.stringify(firstPartyOnly(map)));
      }
    });
  },
};

module.exports = { firstPartyOnly, firstPartySourceMaps };
