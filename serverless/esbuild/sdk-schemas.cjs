/**
 * The AWS SDK's generated schema modules (`dist-es/schemas/schemas_0.js`, one per client) key
 * their trait objects by string-table constants: `{ [_eQN]: "Min" }`. esbuild treats a
 * computed key as a possible side effect (it could call `toString`), so it keeps every schema
 * of the client, used or not: EC2's alone was ~540 KiB of each backup bundle. This plugin
 * writes those keys as the literal strings the constants hold, which is the upstream fix
 * (aws/aws-sdk-js-v3#7607, smithy-lang/smithy-typescript#1889); the modules behave the same
 * and esbuild drops the schemas a function never sends.
 */
const { readFile } = require('node:fs/promises');

const SCHEMA_MODULE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = "([^"\\]*)";$/gm;
const COMPUTED_KEY = /\[(_[A-Za-z0-9_]+)\]:/g;

/** The schema module's source with each `[_constant]:` key replaced by its string literal. */
const literalTraitKeys = (source) => {
  const strings = new Map();
  for (const [, name, value] of source.matchAll(STRING_CONSTANT)) strings.set(name, value);
  return source.replace(COMPUTED_KEY, (key, name) =>
    strings.has(name) ? `${JSON.stringify(strings.get(name))}:` : key,
  );
};

const treeShakeableSdkSchemas = {
  name: 'tree-shakeable-sdk-schemas',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
      contents: literalTraitKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

module.exports = { literalTraitKeys, treeShakeableSdkSchemas };
