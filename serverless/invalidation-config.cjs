// The sites of the stage's config, validated (see stage-config.cjs): distribution ids (IAM),
// buckets (queue policy) and webhook secrets (IAM).
const { stageConfig } = require('./stage-config.cjs');

async function sites(context) {
  return (await stageConfig(context)).sites;
}

module.exports = { sites };
