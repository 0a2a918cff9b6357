import { AwsError, missingParameter } from '../../aws-error.ts';
import { isEc2Id } from '../../ids.ts';

/** Resource kinds with their id prefix and the EC2 error codes for bad or unknown ids. */
const RESOURCE_KINDS = {
  snapshot: {
    prefix: 'snap',
    malformed: 'InvalidSnapshotID.Malformed',
    notFound: 'InvalidSnapshot.NotFound',
  },
  image: { prefix: 'ami', malformed: 'InvalidAMIID.Malformed', notFound: 'InvalidAMIID.NotFound' },
  volume: { prefix: 'vol', malformed: 'InvalidVolumeID.Malformed', notFound: 'InvalidVolume.NotFound' },
  instance: { prefix: 'i', malformed: 'InvalidInstanceID.Malformed', notFound: 'InvalidInstanceID.NotFound' },
} as const;
export type ResourceKind = keyof typeof RESOURCE_KINDS;

export const kindOfId = (id: string): ResourceKind | undefined => {
  const prefix = id.split('-')[0];
  for (const [kind, spec] of Object.entries(RESOURCE_KINDS)) {
    if (spec.prefix === prefix) return kind as ResourceKind;
  }
  return undefined;
};

const malformedId = (kind: ResourceKind, id: string): AwsError =>
  new AwsError(
    RESOURCE_KINDS[kind].malformed,
    `Invalid id: "${id}" (expecting "${RESOURCE_KINDS[kind].prefix}-...")`,
  );

/** Throws the kind's Malformed error unless `id` is a well-formed id of that kind. */
export const checkId = (kind: ResourceKind, id: string): string => {
  if (!isEc2Id(RESOURCE_KINDS[kind].prefix, id)) throw malformedId(kind, id);
  return id;
};

/** The NotFound error, worded as EC2 words it for each kind. */
export const notFound = (kind: ResourceKind, ids: string[]): AwsError => {
  const list = ids.join(', ');
  const message = {
    snapshot: `The snapshot '${list}' does not exist.`,
    image: `The image id '[${list}]' does not exist`,
    volume: `The volume '${list}' does not exist.`,
    instance: `The instance ID${ids.length > 1 ? 's' : ''} '${list}' ${ids.length > 1 ? 'do' : 'does'} not exist`,
  }[kind];
  return new AwsError(RESOURCE_KINDS[kind].notFound, message);
};

export const invalidCombination = (message: string): AwsError =>
  new AwsError('InvalidParameterCombination', message);

export const invalidValue = (message: string): AwsError => new AwsError('InvalidParameterValue', message);

export const incorrectState = (message: string): AwsError => new AwsError('IncorrectState', message);

export { missingParameter };
