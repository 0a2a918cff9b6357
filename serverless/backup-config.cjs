// Reads the stage's Shipyard config (raw YAML) for the backup wiring at package time.
// The handlers validate the policies with the zod schema at run time (and the config
// loader validates the whole file); here we only need names, regions, keys and schedules.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

async function backupPolicies({ resolveVariable }) {
  const configFile = await resolveVariable('param:configFile');
  const text = readFileSync(path.resolve(__dirname, '..', configFile), 'utf8');
  const config = YAML.parse(text) ?? {};
  const policies = config.backupPolicies ?? [];
  if (!Array.isArray(policies)) throw new Error(`${configFile}: backupPolicies must be a list`);
  return policies;
}

module.exports = { backupPolicies };
