/** The commercial regions the local cloud answers for; each has its own isolated EC2 state. */
export const REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'sa-east-1',
];

/** Any well-formed region name works, as with a real account that opted in to it. */
export const isRegionName = (name: string): boolean => /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(name);

/** The local cloud's Availability Zones: three per Region, a to c. */
export const zonesOf = (region: string): string[] => ['a', 'b', 'c'].map((l) => `${region}${l}`);
