/**
 * The AWS Regions Shipyard accepts, per partition. Sources: the AWS Regions page
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html) and
 * botocore's endpoints model (botocore 1.43.11, data/endpoints.json, `partitions[].regions`).
 * The list is of **2026-12**: a Region launched later is refused until it is added here.
 * The isolated partitions (aws-iso*) are left out: their Regions are not public.
 */
export const REGIONS_AS_OF = '2026-12';

const REGIONS_BY_PARTITION = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-eusc': ['eusc-de-east-1'],
} as const satisfies Record<string, readonly string[]>;

export type Partition = keyof typeof REGIONS_BY_PARTITION;

const PARTITION_OF = new Map<string, Partition>(
  Object.entries(REGIONS_BY_PARTITION).flatMap(([partition, regions]) =>
    regions.map((region) => [region, partition as Partition] as const),
  ),
);

/**
 * The partition of a Region, `undefined` for a code that is not a Region (as of REGIONS_AS_OF).
 *
 * @example
 * partitionOf('cn-north-1'); // 'aws-cn'
 * partitionOf('eu-west-9');  // undefined
 */
export const partitionOf = (region: string): Partition | undefined => PARTITION_OF.get(region);
