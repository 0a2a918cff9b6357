import type { LocalService } from '../service.ts';
import { cloudFrontService } from './cloudfront/service.ts';
import { cloudWatchService } from './cloudwatch/service.ts';
import { codePipelineService } from './codepipeline/service.ts';
import { ec2Service } from './ec2/service.ts';
import { elbv2Service } from './elbv2/service.ts';
import { connectTargetDelivery } from './eventbridge/dispatch.ts';
import { eventBridgeService } from './eventbridge/service.ts';
import { globalAcceleratorService } from './globalaccelerator/service.ts';
import { kmsService } from './kms/service.ts';
import { lambdaService } from './lambda/service.ts';
import { s3Service } from './s3/service.ts';
import { schedulerService } from './scheduler/service.ts';
import { snsService } from './sns/service.ts';
import { sqsService } from './sqs/service.ts';
import { ssmService } from './ssm/service.ts';
import { stepFunctionsService } from './stepfunctions/service.ts';
import { deliverToTarget } from './targets/deliver.ts';

/** Every service the local cloud speaks, by the name SigV4 signs with. */
export const SERVICES: LocalService[] = [
  ec2Service,
  cloudFrontService,
  s3Service,
  ssmService,
  codePipelineService,
  eventBridgeService,
  sqsService,
  lambdaService,
  stepFunctionsService,
  schedulerService,
  snsService,
  globalAcceleratorService,
  cloudWatchService,
  kmsService,
  elbv2Service,
];

connectTargetDelivery(deliverToTarget);

export const serviceByName = new Map(SERVICES.map((s) => [s.name, s]));
