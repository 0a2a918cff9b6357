import { CLOUDFRONT_MAPPINGS } from './cloudfront.ts';
import { EC2_MAPPINGS } from './ec2.ts';
import { ELBV2_MAPPINGS } from './elbv2.ts';
import {
  CODEPIPELINE_MAPPINGS,
  EVENTS_MAPPINGS,
  GLOBALACCELERATOR_MAPPINGS,
  KMS_MAPPINGS,
  MONITORING_MAPPINGS,
  SQS_MAPPINGS,
  SSM_MAPPINGS,
  STATES_MAPPINGS,
} from './json.ts';
import { S3_MAPPINGS } from './s3.ts';
import type { OperationMapping } from './types.ts';

/** Local service name → operation → its authorisations. An operation missing here is unmapped. */
export const MAPPINGS: Record<string, Record<string, OperationMapping>> = {
  ec2: EC2_MAPPINGS,
  s3: S3_MAPPINGS,
  cloudfront: CLOUDFRONT_MAPPINGS,
  sqs: SQS_MAPPINGS,
  states: STATES_MAPPINGS,
  kms: KMS_MAPPINGS,
  ssm: SSM_MAPPINGS,
  codepipeline: CODEPIPELINE_MAPPINGS,
  events: EVENTS_MAPPINGS,
  monitoring: MONITORING_MAPPINGS,
  globalaccelerator: GLOBALACCELERATOR_MAPPINGS,
  elasticloadbalancing: ELBV2_MAPPINGS,
};

export type { OperationMapping } from './types.ts';

/** The operations of a local service IAM mode can authorise (a test's view of the map). */
export const mappedOperations = (service: string): string[] => Object.keys(MAPPINGS[service] ?? {});
