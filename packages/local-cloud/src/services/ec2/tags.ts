import { AwsError } from '../../aws-error.ts';
import type { QueryParams } from '../../protocol/query.ts';
import type { Ec2Action } from './context.ts';
import { checkId, invalidValue, kindOfId, missingParameter, notFound } from './errors.ts';
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS_PER_RESOURCE } from './limits.ts';
import type { Tags } from './records.ts';
import type { RegionState } from './store.ts';

const checkTag = (key: string, value: string): void => {
  if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH)
    throw invalidValue(`Tag key must be between 1 and ${MAX_TAG_KEY_LENGTH} characters: '${key}'`);
  if (value.length > MAX_TAG_VALUE_LENGTH)
    throw invalidValue(`Tag value exceeds the maximum length of ${MAX_TAG_VALUE_LENGTH} characters`);
  if (key.toLowerCase().startsWith('aws:'))
    throw invalidValue(`Tag keys starting with 'aws:' are reserved for internal use: '${key}'`);
};

/** `Tag.N.Key` / `Tag.N.Value` under `scope`, validated. */
const readTags = (members: QueryParams[], what: string): Tags => {
  const tags: Tags = new Map();
  members.forEach((member, i) => {
    const key = member.get('Key');
    if (key === undefined) throw missingParameter(`${what}.${i + 1}.Key`);
    const value = member.get('Value') ?? '';
    checkTag(key, value);
    tags.set(key, value);
  });
  return tags;
};

/**
 * `TagSpecification.N.ResourceType` + `TagSpecification.N.Tag.M.*`. Each operation tags only
 * the resource types it creates; any other type is rejected as AWS does.
 */
export const parseTagSpecifications = (
  params: QueryParams,
  allowed: readonly string[],
): Map<string, Tags> => {
  const result = new Map<string, Tags>();
  for (const spec of params.members('TagSpecification')) {
    const type = spec.get('ResourceType');
    if (!type) throw invalidValue('Tag specification resource type must have a value');
    if (!allowed.includes(type))
      throw invalidValue(`'${type}' is not a valid taggable resource type for this operation.`);
    const tags = readTags(spec.members('Tag'), 'TagSpecification.Tag');
    const merged = result.get(type) ?? new Map<string, string>();
    for (const [k, v] of tags) merged.set(k, v);
    result.set(type, merged);
  }
  return result;
};

/** Adds tags, keeping the per-resource cap. */
export const applyTags = (target: Tags, tags: Tags): void => {
  const keys = new Set([...target.keys(), ...tags.keys()]);
  if (keys.size > MAX_TAGS_PER_RESOURCE)
    throw new AwsError(
      'TagLimitExceeded',
      `The maximum number of tags per resource (${MAX_TAGS_PER_RESOURCE}) has been exceeded`,
    );
  for (const [k, v] of tags) target.set(k, v);
};

/** Tags of a new resource from the TagSpecifications for its type (plus inherited ones first). */
export const initialTags = (specs: Map<string, Tags>, type: string, inherited?: Tags): Tags => {
  const tags: Tags = new Map(inherited ?? []);
  applyTags(tags, specs.get(type) ?? new Map());
  return tags;
};

/** The tag map of any taggable resource of the region, or the EC2 error for its id. */
const taggable = (state: RegionState, id: string): Tags => {
  const kind = kindOfId(id);
  if (!kind) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  checkId(kind, id);
  const record = {
    snapshot: () => state.snapshots.get(id),
    image: () => state.images.get(id),
    volume: () => state.volumes.get(id),
    instance: () => state.instances.get(id),
  }[kind]();
  if (!record) throw notFound(kind, [id]);
  return record.tags;
};

const resourceIds = (params: QueryParams): string[] => {
  const ids = params.list('ResourceId');
  if (ids.length === 0) throw missingParameter('ResourceId');
  return ids;
};

export const createTags: Ec2Action = ({ params, state }) => {
  const ids = resourceIds(params);
  const tags = readTags(params.members('Tag'), 'Tag');
  if (tags.size === 0) throw missingParameter('Tag');
  // Every id is checked before any resource changes: the call is all or nothing.
  const targets = ids.map((id) => taggable(state, id));
  for (const target of targets) {
    const trial = new Map(target);
    applyTags(trial, tags);
  }
  for (const target of targets) applyTags(target, tags);
  return { return: true };
};

/**
 * DeleteTags: a key alone deletes the tag whatever its value; a key with a value (even empty)
 * deletes it only if the value matches; no Tag parameter deletes all user tags.
 */
export const deleteTags: Ec2Action = ({ params, state }) => {
  const ids = resourceIds(params);
  const wanted = params.members('Tag').map((member, i) => {
    const key = member.get('Key');
    if (key === undefined) throw missingParameter(`Tag.${i + 1}.Key`);
    return { key, value: member.get('Value') };
  });
  const targets = ids.map((id) => taggable(state, id));
  for (const target of targets) {
    if (wanted.length === 0) {
      target.clear();
      continue;
    }
    for (const { key, value } of wanted) {
      if (value === undefined || target.get(key) === value) target.delete(key);
    }
  }
  return { return: true };
};
