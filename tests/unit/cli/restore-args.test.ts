import { describe, expect, it } from 'vitest';
import { UserError } from '../../../cli/errors.ts';
import { parseRestoreArgs, type RawRestoreOptions } from '../../../cli/restore/args.ts';
import { restoreTags } from '../../../cli/restore/tags.ts';

const base: RawRestoreOptions = { from: 'snap-0123456789abcdef0', region: 'eu-west-1', az: 'eu-west-1b' };

describe('restore arguments', () => {
  it('fills the defaults', () => {
    expect(parseRestoreArgs(base)).toEqual({
      from: { kind: 'snapshot', id: 'snap-0123456789abcdef0' },
      region: 'eu-west-1',
      sourceRegion: 'eu-west-1',
      availabilityZone: 'eu-west-1b',
      volumeType: 'gp3',
      tags: {},
      wait: false,
      dryRun: false,
    });
  });

  it('takes an AMI with a device, a size, tags and another source region', () => {
    const args = parseRestoreArgs({
      ...base,
      from: 'ami-0123abcd',
      sourceRegion: 'ap-south-1',
      device: '/dev/sdf',
      size: '100',
      volumeType: 'io2',
      tag: ['Team=web', 'Note=a=b', 'Empty='],
    });
    expect(args).toMatchObject({
      from: { kind: 'image', id: 'ami-0123abcd' },
      sourceRegion: 'ap-south-1',
      device: '/dev/sdf',
      sizeGiB: 100,
      volumeType: 'io2',
      tags: { Team: 'web', Note: 'a=b', Empty: '' },
    });
  });

  it.each<[string, RawRestoreOptions, string]>([
    ['missing --from', { ...base, from: undefined }, '--from: required'],
    ['an id of another kind', { ...base, from: 'vol-0123abcd' }, '--from: "vol-0123abcd" is not an AMI id'],
    ['an id with upper case', { ...base, from: 'snap-0123ABCD' }, '--from: "snap-0123ABCD"'],
    ['missing --region', { ...base, region: undefined }, '--region: required'],
    ['a bad region', { ...base, region: 'eu-west' }, '--region: "eu-west" is not an AWS region name'],
    ['a bad source region', { ...base, sourceRegion: 'mars-1' }, '--source-region: "mars-1"'],
    ['missing --az', { ...base, az: undefined }, '--az: required'],
    [
      'a zone of another region',
      { ...base, az: 'eu-west-2a' },
      '--az: eu-west-2a is not in region eu-west-1',
    ],
    [
      'a region given as zone',
      { ...base, az: 'eu-west-1' },
      '--az: "eu-west-1" is not an availability zone name',
    ],
    ['a bad volume type', { ...base, volumeType: 'ssd' }, '--volume-type: "ssd" is not one of gp3'],
    ['a size of zero', { ...base, size: '0' }, '--size: "0" is not a size in GiB'],
    ['a fractional size', { ...base, size: '1.5' }, '--size: "1.5"'],
    ['a huge size', { ...base, size: '70000' }, '--size: "70000"'],
    [
      '--device with a snapshot',
      { ...base, device: '/dev/sdf' },
      '--device: only applies when restoring from an AMI',
    ],
    [
      'a bad device',
      { ...base, from: 'ami-0123abcd', device: 'sdf; rm' },
      '--device: "sdf; rm" is not a device name',
    ],
    ['a tag without =', { ...base, tag: ['Team'] }, '--tag: "Team" is not KEY=VALUE'],
    [
      'an aws: tag',
      { ...base, tag: ['aws:x=1'] },
      '--tag: "aws:x": keys starting with aws: are reserved by AWS',
    ],
    [
      'a shipyard: tag',
      { ...base, tag: ['Shipyard:managed=true'] },
      '--tag: "Shipyard:managed": keys starting with shipyard: are Shipyard\'s own',
    ],
  ])('rejects %s naming the argument', (_what, raw, message) => {
    let error: unknown;
    try {
      parseRestoreArgs(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toContain(message);
    expect((error as UserError).message).not.toContain('\n');
  });

  it('tags a restored volume with its source and never as managed, the user unable to override them', () => {
    const tags = restoreTags(
      { snapshotId: 'snap-1', region: 'ap-south-1', imageId: 'ami-1' },
      '2026-01-01T00:00:00.000Z',
      {
        Team: 'web',
      },
    );
    expect(tags).toEqual({
      Team: 'web',
      'shipyard:restore-source-snapshot': 'snap-1',
      'shipyard:restore-source-region': 'ap-south-1',
      'shipyard:restore-source-image': 'ami-1',
      'shipyard:restored-at': '2026-01-01T00:00:00.000Z',
    });
  });
});
