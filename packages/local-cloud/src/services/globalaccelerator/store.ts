import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { emptyTimeline, type Timeline } from '../../timeline.ts';

/**
 * Global Accelerator's state: one set of accelerators per account (the service is global; its
 * API is served in us-west-2 only), each with listeners and one endpoint group per region.
 */

export type HealthState = 'INITIAL' | 'HEALTHY' | 'UNHEALTHY';

export interface EndpointRecord {
  endpointId: string;
  /** 0–255, 128 by default (EndpointConfiguration.Weight). */
  weight: number;
  clientIPPreservationEnabled?: boolean;
  /** When the endpoint joined its group: health checks start then (INITIAL until they pass). */
  addedAt: number;
  /** Health set through the control API or the seed, from given instants on. */
  health: Timeline<HealthState>;
}

export interface EndpointGroupRecord {
  arn: string;
  region: string;
  /** 0–100, 100 by default. */
  trafficDialPercentage: number;
  healthCheckPort?: number;
  healthCheckProtocol: 'TCP' | 'HTTP' | 'HTTPS';
  healthCheckPath?: string;
  healthCheckIntervalSeconds: number;
  thresholdCount: number;
  portOverrides: { ListenerPort: number; EndpointPort: number }[];
  /** Share of the listener's clients for whom this group's region is the nearest (traffic.ts). */
  clientShare?: number;
  endpoints: EndpointRecord[];
}

export interface ListenerRecord {
  arn: string;
  protocol: 'TCP' | 'UDP';
  portRanges: { FromPort: number; ToPort: number }[];
  clientAffinity: 'NONE' | 'SOURCE_IP';
  endpointGroups: EndpointGroupRecord[];
}

export interface AcceleratorRecord {
  arn: string;
  name: string;
  enabled: boolean;
  ipAddressType: 'IPV4' | 'DUAL_STACK';
  ipAddresses: string[];
  dnsName: string;
  createdAt: number;
  lastModifiedAt: number;
  /** IN_PROGRESS until then (after a change), DEPLOYED after. */
  deployedAt: number;
  listeners: ListenerRecord[];
}

interface GlobalAcceleratorStore {
  accelerators: AcceleratorRecord[];
}

export const gaStore = (cloud: LocalCloud): GlobalAcceleratorStore =>
  cloud.store('globalaccelerator', () => ({ accelerators: [] }));

export const statusAt = (a: AcceleratorRecord, now: number): 'DEPLOYED' | 'IN_PROGRESS' =>
  now < a.deployedAt ? 'IN_PROGRESS' : 'DEPLOYED';

export const newEndpoint = (
  endpointId: string,
  addedAt: number,
  weight = DEFAULT_WEIGHT,
): EndpointRecord => ({ endpointId, weight, addedAt, health: emptyTimeline() });

/** EndpointConfiguration.Weight when absent (Global Accelerator developer guide, "Endpoint weights"). */
export const DEFAULT_WEIGHT = 128;

export const findAccelerator = (cloud: LocalCloud, arn: string): AcceleratorRecord => {
  const found = gaStore(cloud).accelerators.find((a) => a.arn === arn);
  // [unconfirmed wording] of the NotFound messages.
  if (!found) throw new AwsError('AcceleratorNotFoundException', `Accelerator not found: ${arn}`);
  return found;
};

export const findListener = (cloud: LocalCloud, arn: string): ListenerRecord => {
  for (const a of gaStore(cloud).accelerators) for (const l of a.listeners) if (l.arn === arn) return l;
  throw new AwsError('ListenerNotFoundException', `Listener not found: ${arn}`);
};

export const findEndpointGroup = (
  cloud: LocalCloud,
  arn: string,
): { accelerator: AcceleratorRecord; group: EndpointGroupRecord } => {
  for (const accelerator of gaStore(cloud).accelerators)
    for (const l of accelerator.listeners)
      for (const group of l.endpointGroups) if (group.arn === arn) return { accelerator, group };
  throw new AwsError('EndpointGroupNotFoundException', `Endpoint group not found: ${arn}`);
};
