// The framework always compiles its shared IamRoleLambdaExecution; with one role per function
// (serverless-iam-roles-per-function) nothing uses it. An unused role with log permissions is
// still a grant an auditor has to explain, so drop it when no resource references it.
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        const resources = template.Resources ?? {};
        if (!resources.IamRoleLambdaExecution) return;
        const { IamRoleLambdaExecution, ...others } = resources;
        const referenced = JSON.stringify({ ...template, Resources: others }).includes(
          '"IamRoleLambdaExecution"',
        );
        if (!referenced) delete resources.IamRoleLambdaExecution;
      },
    };
  }
}

module.exports = DropUnusedDefaultRole;
