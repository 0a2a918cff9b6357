import type { CloudFormationTemplate } from './package-service.ts';

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
}

type Resource = CloudFormationTemplate['Resources'][string];

export const roleStatements = (role: Resource): PolicyStatement[] => {
  const policies = (role.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: PolicyStatement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
};

const roleIdOf = (fn: Resource): string | undefined => {
  const role = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
  return role?.['Fn::GetAtt']?.[0];
};

/** Function logical id without the framework's suffix, as the function key reads in serverless.yml. */
const functionKey = (logicalId: string): string => {
  const base = logicalId.replace(/LambdaFunction$/, '');
  return base.charAt(0).toLowerCase() + base.slice(1);
};

/** Every IAM action each function's role allows (logs actions of its own log group included). */
export const iamActionsByFunction = (template: CloudFormationTemplate): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleId = roleIdOf(resource);
    const role = roleId ? template.Resources[roleId] : undefined;
    const actions = new Set<string>();
    for (const statement of role ? roleStatements(role) : []) {
      for (const action of Array.isArray(statement.Action) ? statement.Action : [statement.Action])
        actions.add(action);
    }
    out[functionKey(id)] = [...actions].sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
};

/** The README's IAM table (between the iam-table markers), generated from the packaged template. */
export const renderIamTable = (template: CloudFormationTemplate): string => {
  const rows = Object.entries(iamActionsByFunction(template)).map(
    ([fn, actions]) =>
      `| \`${fn}\` | ${actions
        .filter((a) => !a.startsWith('logs:'))
        .map((a) => `\`${a}\``)
        .join(', ')} |`,
  );
  return ['| function | IAM actions (besides writing its own log group) |', '|---|---|', ...rows].join('\n');
};

export const IAM_TABLE_START = '<!-- iam-table:start -->';
export const IAM_TABLE_END = '<!-- iam-table:end -->';

export const replaceIamTable = (readme: string, table: string): string => {
  const start = readme.indexOf(IAM_TABLE_START);
  const end = readme.indexOf(IAM_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no iam-table markers');
  return `${readme.slice(0, start + IAM_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
};
