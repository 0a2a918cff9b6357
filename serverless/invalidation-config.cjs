// Reads the sites of the stage's Shipyard config (raw YAML) for the invalidation wiring at
// package time: distribution ids (IAM), buckets (queue policy) and webhook secrets (IAM).
// The handlers validate the whole file with the zod schema at run time.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

async function sites({ resolveVariable }) {
  const configFile = await resolveVariable('param:configFile');
  const text = readFileSync(path.resolve(__dirname, '..', configFile), 'utf8');
  const config = YAML.parse(text) ?? {};
  const list = config.sites ?? [];
  if (!Array.isArray(list)) throw new Error(`${configFile}: sites must be a list`);
  return list;
}

module.exports = { sites };
