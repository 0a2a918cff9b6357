// The stage's Shipyard config, parsed and checked exactly as `shipyard config validate` checks
// it (shared/config/review.ts, loaded through tsx: a .cjs file cannot import TypeScript). A
// refused config fails `serverless package` with the same messages; warnings are printed.
// Every resolver of one packaging shares one validation per file, and gets the parsed config
// (defaults filled, cron normalised), never the raw YAML.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { tsImport } = require('tsx/esm/api');

const loaded = new Map();

async function load(configFile) {
  const { validateConfigText } = await tsImport('../shared/config/review.ts', __filename);
  const { formatProblem } = await tsImport('../shared/config/errors.ts', __filename);
  const text = readFileSync(path.resolve(__dirname, '..', configFile), 'utf8');
  let checked;
  try {
    checked = validateConfigText(text, configFile, Date.now());
  } catch (error) {
    if (error?.name !== 'ConfigError') throw error;
    // Before anything is built: print the problems once, as `shipyard config validate` does,
    // rather than once per variable that needs the config, each with a stack trace.
    process.stderr.write(`${error.message}\nserverless package: the Shipyard config is invalid\n`);
    process.exit(2);
  }
  const { config, warnings } = checked;
  for (const warning of warnings) process.stderr.write(`warning: ${formatProblem(configFile, warning)}\n`);
  return config;
}

/** The validated config of the stage being packaged. */
async function stageConfig({ resolveVariable }) {
  const configFile = await resolveVariable('param:configFile');
  if (!loaded.has(configFile)) loaded.set(configFile, load(configFile));
  return loaded.get(configFile);
}

module.exports = { stageConfig };
