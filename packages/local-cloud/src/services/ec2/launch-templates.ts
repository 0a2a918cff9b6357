import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import type { XmlObject } from '../../protocol/xml.ts';
import type { Ec2Action, Ec2Context } from './context.ts';
import { invalidCombination, invalidValue, missingParameter } from './errors.ts';
import { compileFilters, parseFilters } from './filters.ts';
import type { LaunchTemplateData, LaunchTemplateRecord, LaunchTemplateVersionRecord } from './records.ts';
import { tagSet } from './render.ts';
import type { RegionState } from './store.ts';
import { initialTags, parseTagSpecifications } from './tags.ts';

/**
 * Launch templates (EC2 API reference: CreateLaunchTemplate, CreateLaunchTemplateVersion,
 * DescribeLaunchTemplates, DescribeLaunchTemplateVersions, ModifyLaunchTemplate) with the
 * launch data RunInstances uses: ImageId, InstanceType, SecurityGroupIds,
 * InstanceInitiatedShutdownBehavior and TagSpecifications.
 */

/** Launch template names: 3–128 characters of letters, digits and ( ) . - / _ */
const NAME_PATTERN = /^[a-zA-Z0-9().\-/_]{3,128}$/;
const SHUTDOWN_BEHAVIORS = ['stop', 'terminate'];

const latestOf = (t: LaunchTemplateRecord): number => t.versions[t.versions.length - 1]?.number ?? 1;

const readData = (params: QueryParams): LaunchTemplateData => {
  const data = params.scope('LaunchTemplateData');
  const shutdown = data.get('InstanceInitiatedShutdownBehavior');
  if (shutdown !== undefined && !SHUTDOWN_BEHAVIORS.includes(shutdown))
    throw invalidValue(`Value (${shutdown}) for parameter InstanceInitiatedShutdownBehavior is invalid.`);
  const specs = parseTagSpecifications(data, ['instance', 'volume']);
  const groups = data.list('SecurityGroupId');
  const imageId = data.get('ImageId');
  const instanceType = data.get('InstanceType');
  return {
    ...(imageId !== undefined ? { imageId } : {}),
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(groups.length > 0 ? { securityGroupIds: groups } : {}),
    ...(shutdown !== undefined ? { instanceInitiatedShutdownBehavior: shutdown } : {}),
    ...(specs.size > 0
      ? { tagSpecifications: [...specs].map(([resourceType, tags]) => ({ resourceType, tags })) }
      : {}),
  };
};

const templateXml = (t: LaunchTemplateRecord, accountId: string): XmlObject => ({
  launchTemplateId: t.id,
  launchTemplateName: t.name,
  createTime: new Date(t.createdAt),
  createdBy: `arn:aws:iam::${accountId}:root`,
  defaultVersionNumber: t.defaultVersion,
  latestVersionNumber: latestOf(t),
  tagSet: tagSet(t.tags),
});

const dataXml = (d: LaunchTemplateData): XmlObject => ({
  imageId: d.imageId,
  instanceType: d.instanceType,
  securityGroupIdSet: d.securityGroupIds,
  instanceInitiatedShutdownBehavior: d.instanceInitiatedShutdownBehavior,
  tagSpecificationSet: d.tagSpecifications?.map((s) => ({
    resourceType: s.resourceType,
    tagSet: tagSet(s.tags),
  })),
});

const versionXml = (
  t: LaunchTemplateRecord,
  v: LaunchTemplateVersionRecord,
  accountId: string,
): XmlObject => ({
  launchTemplateId: t.id,
  launchTemplateName: t.name,
  versionNumber: v.number,
  versionDescription: v.description,
  createTime: new Date(v.createdAt),
  createdBy: `arn:aws:iam::${accountId}:root`,
  defaultVersion: v.number === t.defaultVersion,
  launchTemplateData: dataXml(v.data),
});

const byName = (state: RegionState, name: string): LaunchTemplateRecord | undefined =>
  [...state.launchTemplates.values()].find((t) => t.name === name);

/** The template named by `LaunchTemplateId` or `LaunchTemplateName` (exactly one) under `scope`. */
export const findLaunchTemplate = (
  state: RegionState,
  params: QueryParams,
  prefix = '',
): LaunchTemplateRecord => {
  const id = params.get(`${prefix}LaunchTemplateId`);
  const name = params.get(`${prefix}LaunchTemplateName`);
  if (id !== undefined && name !== undefined)
    throw invalidCombination('Specify either the launch template ID or the launch template name, not both.');
  if (id !== undefined) {
    const found = state.launchTemplates.get(id);
    if (!found)
      throw new AwsError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    return found;
  }
  if (name !== undefined) {
    const found = byName(state, name);
    if (!found)
      throw new AwsError(
        'InvalidLaunchTemplateName.NotFoundException',
        `The specified launch template, with template name ${name}, does not exist.`,
      );
    return found;
  }
  throw missingParameter(`${prefix}LaunchTemplateId or ${prefix}LaunchTemplateName`);
};

/** A version by number, `$Latest` or `$Default`. */
export const resolveVersion = (
  t: LaunchTemplateRecord,
  wanted: string | undefined,
): LaunchTemplateVersionRecord => {
  const number =
    wanted === undefined || wanted === '$Default'
      ? t.defaultVersion
      : wanted === '$Latest'
        ? latestOf(t)
        : Number(wanted);
  const version = Number.isInteger(number) ? t.versions.find((v) => v.number === number) : undefined;
  if (!version)
    throw new AwsError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${wanted} for template ${t.id}.`,
    );
  return version;
};

const checkName = (state: RegionState, name: string): void => {
  if (!NAME_PATTERN.test(name))
    throw new AwsError(
      'InvalidLaunchTemplateName.MalformedException',
      `A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.: ${name}`,
    );
  if (byName(state, name))
    throw new AwsError(
      'InvalidLaunchTemplateName.AlreadyExistsException',
      `Launch template name already in use.`,
    );
};

export const createLaunchTemplate: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const name = params.required('LaunchTemplateName');
  checkName(state, name);
  const data = readData(params);
  const specs = parseTagSpecifications(params, ['launch-template']);
  const description = params.get('VersionDescription');
  const template: LaunchTemplateRecord = {
    id: ctx.cloud.ids.next('lt'),
    name,
    createdAt: now,
    defaultVersion: 1,
    versions: [{ number: 1, createdAt: now, data, ...(description !== undefined ? { description } : {}) }],
    tags: initialTags(specs, 'launch-template'),
  };
  state.launchTemplates.add(template);
  ctx.cloud.counters.add('ec2.launchTemplatesCreated');
  return { launchTemplate: templateXml(template, ctx.cloud.accountId) };
};

/** A new version from SourceVersion's data (when given) overridden by the new LaunchTemplateData. */
export const createLaunchTemplateVersion: Ec2Action = (ctx) => {
  const { params, state, now } = ctx;
  const template = findLaunchTemplate(state, params);
  const source = params.has('SourceVersion')
    ? resolveVersion(template, params.get('SourceVersion'))
    : undefined;
  const data = { ...(source?.data ?? {}), ...readData(params) };
  const description = params.get('VersionDescription');
  const version: LaunchTemplateVersionRecord = {
    number: latestOf(template) + 1,
    createdAt: now,
    data,
    ...(description !== undefined ? { description } : {}),
  };
  template.versions.push(version);
  ctx.cloud.counters.add('ec2.launchTemplateVersionsCreated');
  return { launchTemplateVersion: versionXml(template, version, ctx.cloud.accountId) };
};

export const describeLaunchTemplates: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const ids = params.list('LaunchTemplateId');
  const names = params.list('LaunchTemplateName');
  for (const id of ids)
    if (!state.launchTemplates.has(id))
      throw new AwsError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
  for (const name of names)
    if (!byName(state, name))
      throw new AwsError(
        'InvalidLaunchTemplateName.NotFoundException',
        `At least one of the launch templates specified in the request does not exist.`,
      );
  const filter = compileFilters<LaunchTemplateRecord>(parseFilters(params), {
    'launch-template-name': (t) => t.name,
    'create-time': (t) => new Date(t.createdAt).toISOString(),
  });
  const found = [...state.launchTemplates.values()].filter(
    (t) =>
      (ids.length === 0 || ids.includes(t.id)) && (names.length === 0 || names.includes(t.name)) && filter(t),
  );
  return { launchTemplates: found.map((t) => templateXml(t, ctx.cloud.accountId)) };
};

/**
 * DescribeLaunchTemplateVersions: the versions asked for (numbers, `$Latest`, `$Default`), or all
 * of them within MinVersion–MaxVersion, newest first when none are named [unconfirmed order].
 */
export const describeLaunchTemplateVersions: Ec2Action = (ctx: Ec2Context) => {
  const { params, state } = ctx;
  const template = findLaunchTemplate(state, params);
  const wanted = params.list('LaunchTemplateVersion');
  const min = params.int('MinVersion') ?? 1;
  const max = params.int('MaxVersion') ?? Number.POSITIVE_INFINITY;
  const versions =
    wanted.length > 0
      ? [...new Set(wanted.map((w) => resolveVersion(template, w)))]
      : template.versions.filter((v) => v.number >= min && v.number <= max).reverse();
  return { launchTemplateVersionSet: versions.map((v) => versionXml(template, v, ctx.cloud.accountId)) };
};

export const modifyLaunchTemplate: Ec2Action = (ctx) => {
  const { params, state } = ctx;
  const template = findLaunchTemplate(state, params);
  const wanted = params.get('SetDefaultVersion');
  if (wanted !== undefined) template.defaultVersion = resolveVersion(template, wanted).number;
  return { launchTemplate: templateXml(template, ctx.cloud.accountId) };
};
