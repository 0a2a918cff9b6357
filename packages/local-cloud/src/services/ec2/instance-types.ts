import { invalidValue } from './errors.ts';

/**
 * The instance types RunInstances accepts, with the architectures each supports (Amazon EC2
 * instance types: Graviton families `*g` are arm64, the others x86_64; the previous-generation
 * t2/m1 also run i386). A small table: launches in Shipyard use a handful of types.
 */
const INSTANCE_TYPE_ARCHITECTURES: Readonly<Record<string, readonly string[]>> = {
  'm1.small': ['i386', 'x86_64'],
  't2.micro': ['i386', 'x86_64'],
  't2.small': ['i386', 'x86_64'],
  't3.nano': ['x86_64'],
  't3.micro': ['x86_64'],
  't3.small': ['x86_64'],
  't3.medium': ['x86_64'],
  't3.large': ['x86_64'],
  't3a.micro': ['x86_64'],
  'm5.large': ['x86_64'],
  'm6i.large': ['x86_64'],
  'c5.large': ['x86_64'],
  'c6i.large': ['x86_64'],
  'r5.large': ['x86_64'],
  't4g.nano': ['arm64'],
  't4g.micro': ['arm64'],
  't4g.small': ['arm64'],
  't4g.medium': ['arm64'],
  'm6g.large': ['arm64'],
  'm7g.large': ['arm64'],
  'c6g.large': ['arm64'],
  'c7g.large': ['arm64'],
  'r6g.large': ['arm64'],
};

/** RunInstances' InstanceType when none is given (API reference: "Default: m1.small"). */
export const DEFAULT_INSTANCE_TYPE = 'm1.small';

/** Throws InvalidParameterValue for an unknown type [unconfirmed wording]. */
const architecturesOf = (instanceType: string): readonly string[] => {
  const architectures = INSTANCE_TYPE_ARCHITECTURES[instanceType];
  if (!architectures) throw invalidValue(`Invalid value '${instanceType}' for InstanceType.`);
  return architectures;
};

/** The AMI's architecture must be one the instance type runs, as RunInstances checks. */
export const checkArchitecture = (instanceType: string, imageArchitecture: string): void => {
  const architectures = architecturesOf(instanceType);
  if (!architectures.includes(imageArchitecture))
    throw invalidValue(
      `The architecture '${architectures.join(', ')}' of the specified instance type does not match the architecture '${imageArchitecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
};
