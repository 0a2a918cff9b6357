import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { type JsonAction, jsonAction } from '../../protocol/aws-json.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import { healthAt } from './health.ts';
import {
  type AcceleratorRecord,
  DEFAULT_WEIGHT,
  type EndpointGroupRecord,
  findAccelerator,
  findEndpointGroup,
  findListener,
  gaStore,
  type ListenerRecord,
  newEndpoint,
  statusAt,
} from './store.ts';

/**
 * The Global Accelerator actions Shipyard's failover drill calls (API reference; shapes and
 * constraints from the botocore model globalaccelerator/2018-08-08): DescribeAccelerator,
 * ListAccelerators, ListListeners, ListEndpointGroups, DescribeEndpointGroup and
 * UpdateEndpointGroup. Creating and deleting stays with infrastructure as code (the seed).
 */

/** GenericString: at most 255 characters. */
const arn = z.string().max(255);
/** MaxResults: 1–100. */
const paging = { MaxResults: z.number().int().min(1).max(100).optional(), NextToken: arn.optional() };
/** A listing's page size when MaxResults is absent [unconfirmed]. */
const DEFAULT_PAGE = 10;

const invalidNextToken = () =>
  new AwsError('InvalidNextTokenException', "There isn't another item to return.");

const page = <T>(items: readonly T[], scope: string, input: { MaxResults?: number; NextToken?: string }) =>
  pageOf(
    items,
    scope,
    decodePageToken(scope, input.NextToken, invalidNextToken),
    input.MaxResults ?? DEFAULT_PAGE,
  );

const acceleratorJson = (a: AcceleratorRecord, now: number) => ({
  AcceleratorArn: a.arn,
  Name: a.name,
  IpAddressType: a.ipAddressType,
  Enabled: a.enabled,
  IpSets: [{ IpFamily: 'IPv4', IpAddresses: a.ipAddresses, IpAddressFamily: 'IPv4' }],
  DnsName: a.dnsName,
  Status: statusAt(a, now),
  CreatedTime: a.createdAt / 1000,
  LastModifiedTime: a.lastModifiedAt / 1000,
  Events: [],
});

const listenerJson = (l: ListenerRecord) => ({
  ListenerArn: l.arn,
  PortRanges: l.portRanges,
  Protocol: l.protocol,
  ClientAffinity: l.clientAffinity,
});

const endpointGroupJson = (g: EndpointGroupRecord, now: number) => ({
  EndpointGroupArn: g.arn,
  EndpointGroupRegion: g.region,
  EndpointDescriptions: g.endpoints.map((e) => ({
    EndpointId: e.endpointId,
    Weight: e.weight,
    HealthState: healthAt(g, e, now),
    ...(e.clientIPPreservationEnabled !== undefined
      ? { ClientIPPreservationEnabled: e.clientIPPreservationEnabled }
      : {}),
  })),
  TrafficDialPercentage: g.trafficDialPercentage,
  ...(g.healthCheckPort !== undefined ? { HealthCheckPort: g.healthCheckPort } : {}),
  HealthCheckProtocol: g.healthCheckProtocol,
  ...(g.healthCheckPath !== undefined ? { HealthCheckPath: g.healthCheckPath } : {}),
  HealthCheckIntervalSeconds: g.healthCheckIntervalSeconds,
  ThresholdCount: g.thresholdCount,
  PortOverrides: g.portOverrides,
});

const describeAccelerator = jsonAction({
  input: z.object({ AcceleratorArn: arn }),
  run: ({ cloud, input }) => ({
    Accelerator: acceleratorJson(findAccelerator(cloud, input.AcceleratorArn), cloud.now()),
  }),
});

const listAccelerators = jsonAction({
  input: z.object(paging),
  run: ({ cloud, input }) => {
    const { page: items, nextToken } = page(gaStore(cloud).accelerators, 'accelerators', input);
    return { Accelerators: items.map((a) => acceleratorJson(a, cloud.now())), NextToken: nextToken };
  },
});

const listListeners = jsonAction({
  input: z.object({ AcceleratorArn: arn, ...paging }),
  run: ({ cloud, input }) => {
    const accelerator = findAccelerator(cloud, input.AcceleratorArn);
    const { page: items, nextToken } = page(accelerator.listeners, `listeners:${accelerator.arn}`, input);
    return { Listeners: items.map(listenerJson), NextToken: nextToken };
  },
});

const listEndpointGroups = jsonAction({
  input: z.object({ ListenerArn: arn, ...paging }),
  run: ({ cloud, input }) => {
    const listener = findListener(cloud, input.ListenerArn);
    const { page: items, nextToken } = page(listener.endpointGroups, `groups:${listener.arn}`, input);
    return { EndpointGroups: items.map((g) => endpointGroupJson(g, cloud.now())), NextToken: nextToken };
  },
});

const describeEndpointGroup = jsonAction({
  input: z.object({ EndpointGroupArn: arn }),
  run: ({ cloud, input }) => ({
    EndpointGroup: endpointGroupJson(findEndpointGroup(cloud, input.EndpointGroupArn).group, cloud.now()),
  }),
});

const UpdateEndpointGroupInput = z.object({
  EndpointGroupArn: arn,
  /** EndpointConfigurations: at most 10; Weight 0–255. */
  EndpointConfigurations: z
    .array(
      z.object({
        EndpointId: arn,
        Weight: z.number().int().min(0).max(255).optional(),
        ClientIPPreservationEnabled: z.boolean().optional(),
        AttachmentArn: arn.optional(),
      }),
    )
    .max(10)
    .optional(),
  /** TrafficDialPercentage: a float 0–100. */
  TrafficDialPercentage: z.number().min(0).max(100).optional(),
  HealthCheckPort: z.number().int().min(1).max(65_535).optional(),
  HealthCheckProtocol: z.enum(['TCP', 'HTTP', 'HTTPS']).optional(),
  HealthCheckPath: z
    .string()
    .max(255)
    .regex(/^\/[-a-zA-Z0-9@:%_\\+.~#?&/=]*$/)
    .optional(),
  /** HealthCheckIntervalSeconds: "10 seconds or 30 seconds" (API reference). */
  HealthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)]).optional(),
  ThresholdCount: z.number().int().min(1).max(10).optional(),
  PortOverrides: z
    .array(
      z.object({
        ListenerPort: z.number().int().min(1).max(65_535),
        EndpointPort: z.number().int().min(1).max(65_535),
      }),
    )
    .max(10)
    .optional(),
});

/**
 * UpdateEndpointGroup sets what it is given; EndpointConfigurations replaces the whole list
 * (an endpoint kept keeps its health, a new one starts INITIAL). The accelerator is
 * IN_PROGRESS for acceleratorDeployMs afterwards ("the status changes from IN_PROGRESS to
 * DEPLOYED" once a change has propagated).
 */
const updateEndpointGroup = (cloud: LocalCloud, input: z.infer<typeof UpdateEndpointGroupInput>) => {
  const now = cloud.now();
  const { accelerator, group } = findEndpointGroup(cloud, input.EndpointGroupArn);
  const ids = input.EndpointConfigurations?.map((c) => c.EndpointId) ?? [];
  if (new Set(ids).size !== ids.length)
    throw new AwsError(
      'InvalidArgumentException',
      'An endpoint is listed more than once in EndpointConfigurations.',
    );
  if (input.EndpointConfigurations) {
    const before = new Map(group.endpoints.map((e) => [e.endpointId, e]));
    group.endpoints = input.EndpointConfigurations.map((c) => {
      const endpoint = before.get(c.EndpointId) ?? newEndpoint(c.EndpointId, now);
      endpoint.weight = c.Weight ?? DEFAULT_WEIGHT;
      if (c.ClientIPPreservationEnabled !== undefined)
        endpoint.clientIPPreservationEnabled = c.ClientIPPreservationEnabled;
      return endpoint;
    });
  }
  if (input.TrafficDialPercentage !== undefined) group.trafficDialPercentage = input.TrafficDialPercentage;
  if (input.HealthCheckPort !== undefined) group.healthCheckPort = input.HealthCheckPort;
  if (input.HealthCheckProtocol !== undefined) group.healthCheckProtocol = input.HealthCheckProtocol;
  if (input.HealthCheckPath !== undefined) group.healthCheckPath = input.HealthCheckPath;
  if (input.HealthCheckIntervalSeconds !== undefined)
    group.healthCheckIntervalSeconds = input.HealthCheckIntervalSeconds;
  if (input.ThresholdCount !== undefined) group.thresholdCount = input.ThresholdCount;
  if (input.PortOverrides !== undefined) group.portOverrides = input.PortOverrides;
  accelerator.deployedAt = now + cloud.durations.acceleratorDeployMs;
  cloud.counters.add('globalaccelerator.endpointGroupUpdates');
  return { EndpointGroup: endpointGroupJson(group, now) };
};

export const GA_ACTIONS: Record<string, JsonAction<unknown>> = {
  DescribeAccelerator: describeAccelerator,
  ListAccelerators: listAccelerators,
  ListListeners: listListeners,
  ListEndpointGroups: listEndpointGroups,
  DescribeEndpointGroup: describeEndpointGroup,
  UpdateEndpointGroup: jsonAction({
    input: UpdateEndpointGroupInput,
    run: ({ cloud, input }) => updateEndpointGroup(cloud, input),
  }),
};
