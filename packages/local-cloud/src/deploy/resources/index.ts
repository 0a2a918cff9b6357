import type { ResourceHandler } from '../context.ts';
import { deployRule } from './events.ts';
import { deployManagedPolicy, deployRole, deployRolePolicy } from './iam.ts';
import {
  deployEventInvokeConfig,
  deployEventSourceMapping,
  deployFunction,
  deployFunctionUrl,
} from './lambda.ts';
import { deployQueue } from './queues.ts';
import { deployBucket } from './s3.ts';
import { deploySubscription, deployTopic } from './sns.ts';
import { deployParameter } from './ssm.ts';
import { deploySchedule, deployStateMachine } from './states.ts';

/** Resource types the local cloud creates, by CloudFormation type. */
export const HANDLERS: Record<string, ResourceHandler> = {
  'AWS::Lambda::Function': deployFunction,
  'AWS::Lambda::Url': deployFunctionUrl,
  'AWS::Lambda::EventSourceMapping': deployEventSourceMapping,
  'AWS::Lambda::EventInvokeConfig': deployEventInvokeConfig,
  'AWS::SQS::Queue': deployQueue,
  'AWS::SNS::Topic': deployTopic,
  'AWS::SNS::Subscription': deploySubscription,
  'AWS::StepFunctions::StateMachine': deployStateMachine,
  'AWS::Scheduler::Schedule': deploySchedule,
  'AWS::Events::Rule': deployRule,
  'AWS::S3::Bucket': deployBucket,
  'AWS::SSM::Parameter': deployParameter,
  'AWS::IAM::Role': deployRole,
  'AWS::IAM::ManagedPolicy': deployManagedPolicy,
  'AWS::IAM::Policy': deployRolePolicy,
};

/** Types accepted without anything to create locally, and why. */
export const NO_LOCAL_EFFECT: Record<string, string> = {
  'AWS::Logs::LogGroup': 'functions log to the local cloud process; no CloudWatch Logs',
  'AWS::Lambda::Version': 'only $LATEST runs locally',
  'AWS::Lambda::Permission': 'resource policies are not enforced by the local cloud',
  'AWS::CloudWatch::Alarm': 'no CloudWatch metrics or alarms locally',
  'AWS::SQS::QueuePolicy': 'queue policies are not enforced by the local cloud',
  'AWS::SNS::TopicPolicy': 'topic policies are not enforced by the local cloud',
  'AWS::S3::BucketPolicy': 'bucket policies are not enforced by the local cloud',
};
