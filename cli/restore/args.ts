/**
 * `shipyard restore` arguments, validated before any AWS call. Each problem is one line
 * naming the argument; the checks that need AWS (the zone exists, the size fits the
 * snapshot, the device is in the AMI) are in restore.ts.
 */
import * as z from 'zod';
import { regionSchema } from '../../shared/config/policies.ts';
import { UserError } from '../errors.ts';

export const VOLUME_TYPES = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;
/** EBS volume size limit (GiB) of the largest types [io2 Block Express / gp3: 64 TiB]. */
const MAX_VOLUME_GIB = 65_536;
/** EC2 allows 50 tags per resource; the restore tags take four. */
const MAX_USER_TAGS = 46;

export interface RestoreArgs {
  from: { kind: 'image' | 'snapshot'; id: string };
  region: string;
  sourceRegion: string;
  availabilityZone: string;
  volumeType: (typeof VOLUME_TYPES)[number];
  sizeGiB?: number;
  device?: string;
  tags: Record<string, string>;
  wait: boolean;
  dryRun: boolean;
}

export interface RawRestoreOptions {
  from?: string;
  region?: string;
  sourceRegion?: string;
  az?: string;
  volumeType?: string;
  size?: string;
  device?: string;
  tag?: string[];
  wait?: boolean;
  dryRun?: boolean;
}

const ID = /^(ami|snap)-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const AZ = /^([a-z]{2}(?:-gov)?-[a-z]+-\d{1,2})([a-z])$/;
const DEVICE = /^\/dev\/[a-z][a-z0-9]{1,15}$|^xvd[a-z]{1,2}$/;

const fail = (argument: string, message: string): never => {
  throw new UserError(`${argument}: ${message}`);
};

const parseTag = (raw: string): [string, string] => {
  const eq = raw.indexOf('=');
  if (eq <= 0) return fail('--tag', `"${raw}" is not KEY=VALUE`);
  const key = raw.slice(0, eq);
  const value = raw.slice(eq + 1);
  if (key.length > 128) fail('--tag', `key "${key.slice(0, 20)}…" is longer than 128 characters`);
  if (value.length > 256) fail('--tag', `value of ${key} is longer than 256 characters`);
  if (/^aws:/i.test(key)) fail('--tag', `"${key}": keys starting with aws: are reserved by AWS`);
  if (/^shipyard:/i.test(key)) fail('--tag', `"${key}": keys starting with shipyard: are Shipyard's own`);
  return [key, value];
};

/**
 * @example
 * parseRestoreArgs({ from: 'snap-0123abcd', region: 'eu-west-1', az: 'eu-west-1b' });
 * // { from: { kind: 'snapshot', id: 'snap-0123abcd' }, region: 'eu-west-1', sourceRegion: 'eu-west-1', availabilityZone: 'eu-west-1b', volumeType: 'gp3', … }
 */
export function parseRestoreArgs(raw: RawRestoreOptions): RestoreArgs {
  const from = raw.from ?? fail('--from', 'required: an AMI id (ami-…) or snapshot id (snap-…)');
  const match = ID.exec(from);
  if (!match) fail('--from', `"${from}" is not an AMI id (ami-…) or snapshot id (snap-…)`);
  const kind = from.startsWith('ami-') ? 'image' : 'snapshot';
  const region = raw.region ?? fail('--region', 'required: the region to restore into');
  if (!regionSchema.safeParse(region).success)
    fail('--region', `"${region}" is not an AWS region name (e.g. eu-west-1)`);
  const sourceRegion = raw.sourceRegion ?? region;
  if (!regionSchema.safeParse(sourceRegion).success)
    fail('--source-region', `"${sourceRegion}" is not an AWS region name (e.g. eu-west-1)`);
  const az = raw.az ?? fail('--az', 'required: the availability zone of the new volume (e.g. eu-west-1b)');
  const zone = AZ.exec(az);
  if (!zone) fail('--az', `"${az}" is not an availability zone name (e.g. ${region}a)`);
  if (zone?.[1] !== region) fail('--az', `${az} is not in region ${region}`);
  const volumeType = z.enum(VOLUME_TYPES).safeParse(raw.volumeType ?? 'gp3');
  if (!volumeType.success)
    fail('--volume-type', `"${raw.volumeType}" is not one of ${VOLUME_TYPES.join(', ')}`);
  let sizeGiB: number | undefined;
  if (raw.size !== undefined) {
    sizeGiB = Number(raw.size);
    if (!/^\d+$/.test(raw.size) || sizeGiB < 1 || sizeGiB > MAX_VOLUME_GIB)
      fail('--size', `"${raw.size}" is not a size in GiB from 1 to ${MAX_VOLUME_GIB}`);
  }
  if (raw.device !== undefined) {
    if (kind !== 'image') fail('--device', 'only applies when restoring from an AMI');
    if (!DEVICE.test(raw.device))
      fail('--device', `"${raw.device}" is not a device name (e.g. /dev/xvda, /dev/sdf)`);
  }
  const tags = Object.fromEntries((raw.tag ?? []).map(parseTag));
  if (Object.keys(tags).length > MAX_USER_TAGS) fail('--tag', `at most ${MAX_USER_TAGS} tags`);
  return {
    from: { kind, id: from },
    region,
    sourceRegion,
    availabilityZone: az,
    volumeType: volumeType.data ?? 'gp3',
    ...(sizeGiB === undefined ? {} : { sizeGiB }),
    ...(raw.device === undefined ? {} : { device: raw.device }),
    tags,
    wait: raw.wait === true,
    dryRun: raw.dryRun === true,
  };
}
