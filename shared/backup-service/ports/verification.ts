/**
 * The ports restore verification runs over (adapters: shared/aws/ec2-verification.ts,
 * shared/aws/ssm-instances.ts, shared/aws/ssm-commands.ts, shared/aws/s3-verification-store.ts).
 */
import type { CommandInvocation } from '../../backup/http-probe.ts';
import type { IsolationFacts } from '../../backup/isolation.ts';
import type { Ec2Tag } from '../../backup/tags.ts';
import type {
  InstanceProbe,
  RecordedLaunch,
  SweepInstance,
  VerificationLaunch,
} from '../../backup/verification.ts';
import type { VerificationRecord } from '../../backup/verification-record.ts';

/** An AMI as verification sees it (DescribeImages). */
export interface VerifyImage {
  imageId: string;
  name?: string;
  state: string;
  creationDate: string;
  architecture: string;
  tags: Record<string, string>;
  snapshotIds: string[];
}

/** EC2 in one region, as verification needs it. */
export interface VerificationEc2 {
  readonly region: string;
  /** DescribeSubnets + DescribeRouteTables (its table, else the VPC's main one) + DescribeSecurityGroups. */
  isolationFacts(subnetId: string, securityGroupId: string): Promise<IsolationFacts>;
  /** Owner self; tag filters ANDed. */
  describeImages(query: {
    imageIds?: readonly string[];
    tags?: Record<string, string>;
  }): Promise<VerifyImage[]>;
  runInstance(launch: VerificationLaunch): Promise<{ instanceId: string; launchTime: string }>;
  /** DescribeInstances + DescribeInstanceStatus (IncludeAllInstances); absent ids are gone. */
  probe(instanceIds: readonly string[]): Promise<Map<string, InstanceProbe>>;
  terminate(instanceIds: readonly string[]): Promise<void>;
  /**
   * Instances tagged as verification instances, plus the given ids and the instances launched
   * with the given ClientTokens (any state but terminated).
   */
  verificationInstances(
    extraIds: readonly string[],
    clientTokens?: readonly string[],
  ): Promise<SweepInstance[]>;
  /** CreateTags on an AMI of ours. */
  tagImage(imageId: string, tags: readonly Ec2Tag[]): Promise<void>;
}

/** SSM DescribeInstanceInformation in one region: PingStatus by instance id (registered ones only). */
export interface ManagedInstances {
  pingStatus(region: string, instanceIds: readonly string[]): Promise<Map<string, string>>;
}

/** SSM Run Command in one region: the HTTP probe runs on the instance itself. */
export interface ProbeCommands {
  /**
   * SendCommand `AWS-RunShellScript` to one instance; the command id, or undefined when SSM
   * does not take commands for it yet (InvalidInstanceId: not yet a registered managed node).
   */
  send(
    region: string,
    instanceId: string,
    run: { commands: readonly string[]; timeoutSeconds: number; comment: string },
  ): Promise<string | undefined>;
  /** GetCommandInvocation; undefined while the invocation is not visible yet (InvocationDoesNotExist). */
  invocation(region: string, commandId: string, instanceId: string): Promise<CommandInvocation | undefined>;
}

/** Shipyard's own record of restore tests and launches (the run records bucket). */
export interface VerificationStore {
  putResult(record: VerificationRecord): Promise<void>;
  results(region?: string): Promise<VerificationRecord[]>;
  /**
   * Written twice per launch, under its intent id: before RunInstances (the intent: the
   * launch's ClientToken, no instance yet) and right after it (with the instance), so a crash
   * between the two still leaves the sweep its proof. Keyed by `launchKey`.
   */
  recordLaunch(launch: RecordedLaunch & { region: string }): Promise<void>;
  launches(region: string): Promise<RecordedLaunch[]>;
  /** Forgets the launch of that `launchKey`. */
  forgetLaunch(region: string, key: string): Promise<void>;
}

/** Where a failed verification alarms (a CloudWatch metric with an alarm on it). */
export interface VerificationAlarms {
  failed(record: VerificationRecord): Promise<void>;
}
