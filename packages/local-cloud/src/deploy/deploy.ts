import { resolve } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../cloud.ts';
import { createDeployClients, type DeployClients, type DeployContext } from './context.ts';
import { type PlannedResource, planTemplate } from './plan.ts';
import type { DeployReport, ResourceReport } from './report.ts';
import { HANDLERS, NO_LOCAL_EFFECT } from './resources/index.ts';
import { deploySiteNotifications, type NotifiedSite } from './sites.ts';
import { parseTemplate } from './template.ts';

export interface DeployOptions {
  /** The CloudFormation template `serverless package` wrote (parsed JSON). */
  template: unknown;
  /** The package folder: the function zips are read from here. */
  packageDir: string;
  /** The local cloud's URL. */
  endpoint: string;
  region?: string;
  stage: string;
  /** `<service>-<stage>` as the Serverless Framework names stacks; `shipyard-<stage>` by default. */
  stackName?: string;
  /** Sites whose buckets send object events to the stack's S3 events queue (none by default). */
  sites?: NotifiedSite[];
  /** Where `.shipyard-local/` is created (the current directory by default). */
  workDir?: string;
  /** Values of the template's Parameters (over their defaults), as `--parameter-overrides` gives them. */
  parameters?: Record<string, string>;
  /** The logical id of the queue S3 notifications go to. */
  s3EventsQueue?: string;
  clients?: DeployClients;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const deployOne = async (ctx: DeployContext, resource: PlannedResource): Promise<ResourceReport> => {
  const base = { logicalId: resource.logicalId, type: resource.type };
  if (resource.error) return { ...base, status: 'failed', reason: resource.error };
  if (resource.conditionFalse)
    return { ...base, status: 'skipped', reason: `condition ${resource.conditionFalse} is false` };
  const noEffect = NO_LOCAL_EFFECT[resource.type];
  if (noEffect)
    return { ...base, status: 'no-local-effect', physicalId: resource.physical.ref, reason: noEffect };
  const handler = HANDLERS[resource.type];
  if (!handler)
    return { ...base, status: 'unsupported', reason: `the local cloud does not implement ${resource.type}` };
  try {
    const result = await handler(ctx, resource);
    return {
      ...base,
      status: result.status,
      ...(result.physicalId !== undefined ? { physicalId: result.physicalId } : {}),
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
    };
  } catch (error) {
    return { ...base, status: 'failed', reason: describe(error) };
  }
};

/** Resources that failed, or unsupported ones a function depends on (directly or through others). */
const blockingOf = (plan: PlannedResource[], reports: ResourceReport[]): string[] => {
  const byId = new Map(plan.map((p) => [p.logicalId, p]));
  const needed = new Set<string>();
  const visit = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep);
  };
  for (const p of plan) if (p.type === 'AWS::Lambda::Function') for (const dep of p.dependsOn) visit(dep);
  return reports
    .filter((r) => r.status === 'failed' || (r.status === 'unsupported' && needed.has(r.logicalId)))
    .map((r) => r.logicalId);
};

/**
 * Creates in the local cloud what a packaged CloudFormation template describes, in
 * dependency order, and reports every resource: created, no local effect, skipped by a
 * condition, unsupported or failed. Re-running updates in place.
 *
 * @example
 * const { dir, template } = await packageService('dev');
 * const report = await deployTemplate({ template, packageDir: dir, endpoint: local.url, stage: 'dev' });
 */
export const deployTemplate = async (options: DeployOptions): Promise<DeployReport> => {
  const template = parseTemplate(options.template);
  const region = options.region ?? 'us-east-1';
  const stackName = options.stackName ?? `shipyard-${options.stage}`;
  const workDir = resolve(options.workDir ?? process.cwd());
  const ctx: DeployContext = {
    clients: options.clients ?? createDeployClients(options.endpoint, region),
    endpoint: options.endpoint,
    region,
    stage: options.stage,
    packageDir: resolve(options.packageDir),
    workDir,
  };
  const plan = planTemplate(template, {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    stackName,
    endpoint: options.endpoint,
    ...(options.parameters ? { parameters: options.parameters } : {}),
  });
  const resources: ResourceReport[] = [];
  for (const resource of plan) resources.push(await deployOne(ctx, resource));
  const queueId = options.s3EventsQueue ?? 'S3EventsQueue';
  const queue = plan.find((p) => p.logicalId === queueId && p.type === 'AWS::SQS::Queue');
  const queueCreated = resources.some((r) => r.logicalId === queueId && r.status === 'created');
  const sites = await deploySiteNotifications(
    ctx,
    options.sites ?? [],
    queue && queueCreated ? String(queue.physical.attributes.Arn) : undefined,
  );
  const blocking = [
    ...blockingOf(plan, resources),
    ...sites.filter((s) => s.status === 'failed').map((s) => `site ${s.site}`),
  ];
  return { stage: options.stage, stackName, region, endpoint: options.endpoint, resources, sites, blocking };
};
