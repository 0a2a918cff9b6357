/**
 * The ports a failover drill runs over (adapters: shared/aws/global-accelerator.ts,
 * shared/aws/cloudwatch.ts, shared/aws/ec2-launch-templates.ts, shared/aws/s3-drill-lock.ts,
 * shared/aws/elbv2-target-health.ts).
 */
import type { GroupState } from '../../backup/drill.ts';
import type { TargetGroupHealth } from '../../backup/target-health.ts';

/** Global Accelerator (always called in us-west-2, whatever the endpoint regions are). */
export interface Accelerators {
  /** `DEPLOYED` | `IN_PROGRESS`; undefined when the accelerator does not exist. */
  status(acceleratorArn: string): Promise<string | undefined>;
  /** DescribeEndpointGroup; undefined when it does not exist. */
  endpointGroup(endpointGroupArn: string): Promise<GroupState | undefined>;
  /** UpdateEndpointGroup with TrafficDialPercentage only (endpoints and weights untouched). */
  setDial(endpointGroupArn: string, dial: number): Promise<void>;
}

/** CloudWatch DescribeAlarms: the state of each named alarm (absent: no such alarm). */
export interface AlarmStates {
  states(region: string, names: readonly string[]): Promise<Map<string, string>>;
}

/** ELBv2 in the load balancer's region. */
export interface TargetHealth {
  /**
   * DescribeTargetGroups by LoadBalancerArn, then DescribeTargetHealth of each group;
   * undefined when the load balancer does not exist.
   */
  ofLoadBalancer(region: string, loadBalancerArn: string): Promise<TargetGroupHealth[] | undefined>;
}

/** EC2 launch templates in one region. */
export interface LaunchTemplates {
  /** The `$Latest` version's ImageId, undefined when the template does not exist. */
  latestImageId(
    region: string,
    launchTemplateId: string,
  ): Promise<{ version: number; imageId?: string } | undefined>;
  /** CreateLaunchTemplateVersion from `$Latest` with the new ImageId; returns the version. */
  createVersion(region: string, launchTemplateId: string, imageId: string): Promise<number>;
}

/** One drill per accelerator at a time. */
export interface DrillLock {
  /**
   * Create-only; an expired lock is taken over. `recorded` (the dials before the drill) is
   * kept with it, so a drill whose execution was stopped can still be put back.
   */
  acquire(
    key: string,
    owner: string,
    expiresAt: string,
    recorded?: unknown,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }>;
  /** The lock as held now (expired or not), undefined when none is. */
  holder(key: string): Promise<{ owner: string; expiresAt: string; recorded?: unknown } | undefined>;
  release(key: string, owner: string): Promise<void>;
}
