// The backup policies of the stage's config, validated (see stage-config.cjs).
const { stageConfig } = require('./stage-config.cjs');

async function backupPolicies(context) {
  return (await stageConfig(context)).backupPolicies;
}

module.exports = { backupPolicies };
