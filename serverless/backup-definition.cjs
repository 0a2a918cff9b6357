// The deployed backup state machine is statemachines/backup.asl.yaml itself: this only
// swaps each Task's `${<functionKey>}` placeholder (its Resource, or the FunctionName of a
// `.waitForTaskToken` Task) for `Fn::GetAtt: [<functionKey>, Arn]`,
// which serverless-step-functions turns into the function's logical id and an Fn::Sub
// parameter (and into lambda:InvokeFunction on the state machine's role), and the
// Distributed Map's `Bucket: ${backupResultsBucket}` for `Ref: BackupResultsBucket` (the
// plugin grants the role s3:GetObject / s3:PutObject on that bucket and
// states:StartExecution on the state machine for the child executions). The tests bind the
// same placeholders to the handlers, so one file is both deployed and tested.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const PLACEHOLDER = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/;
// biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL's placeholder, not a template
const RESULTS_BUCKET = '${backupResultsBucket}';
// Service integrations are named in the stack's partition (arn:aws-cn:states:::… in China); the
// plugin emits the definition as an Fn::Sub, which resolves the pseudo parameter.
const INTEGRATION = /^arn:aws:states:::/;
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's pseudo parameter, resolved by Fn::Sub
const PARTITIONED_INTEGRATION = 'arn:${AWS::Partition}:states:::';

function substitute(node) {
  if (Array.isArray(node)) return node.map(substitute);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // A Lambda Task's Resource, or a `lambda:invoke.waitForTaskToken` Task's FunctionName.
    const named = (key === 'Resource' || key === 'FunctionName') && typeof value === 'string';
    const match = named ? PLACEHOLDER.exec(value) : null;
    if (key === 'Bucket' && value === RESULTS_BUCKET) out[key] = { Ref: 'BackupResultsBucket' };
    else if (key === 'Resource' && typeof value === 'string' && INTEGRATION.test(value))
      out[key] = value.replace(INTEGRATION, PARTITIONED_INTEGRATION);
    else out[key] = match ? { 'Fn::GetAtt': [match[1], 'Arn'] } : substitute(value);
  }
  return out;
}

function loadDefinition(file = path.resolve(__dirname, '..', 'statemachines', 'backup.asl.yaml')) {
  return substitute(YAML.parse(readFileSync(file, 'utf8')));
}

const VERIFY_FILE = path.resolve(__dirname, '..', 'statemachines', 'verify.asl.yaml');
const DRILL_FILE = path.resolve(__dirname, '..', 'statemachines', 'drill.asl.yaml');

module.exports = {
  definition: () => loadDefinition(),
  verifyDefinition: () => loadDefinition(VERIFY_FILE),
  drillDefinition: () => loadDefinition(DRILL_FILE),
  loadDefinition,
  substitute,
};
