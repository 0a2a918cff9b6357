import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { setFrom } from '../../timeline.ts';
import { healthAt } from './health.ts';
import {
  type AcceleratorRecord,
  DEFAULT_WEIGHT,
  type EndpointGroupRecord,
  gaStore,
  type ListenerRecord,
  newEndpoint,
  statusAt,
} from './store.ts';

/**
 * Seed section `globalaccelerator`: accelerators with their listeners and endpoint groups, as
 * infrastructure as code would have created them. Seeded endpoints are HEALTHY unless said.
 */

const EndpointSchema = z
  .object({
    endpointId: z
      .string()
      .min(1)
      .max(255)
      .describe('an ALB/NLB ARN, an EC2 instance id or an EIP allocation id'),
    weight: z.number().int().min(0).max(255).optional(),
    healthState: z.enum(['INITIAL', 'HEALTHY', 'UNHEALTHY']).optional(),
    clientIPPreservationEnabled: z.boolean().optional(),
  })
  .strict();

const EndpointGroupSchema = z
  .object({
    region: z.string().min(1),
    trafficDialPercentage: z.number().min(0).max(100).optional(),
    healthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)]).optional(),
    thresholdCount: z.number().int().min(1).max(10).optional(),
    healthCheckProtocol: z.enum(['TCP', 'HTTP', 'HTTPS']).optional(),
    healthCheckPort: z.number().int().min(1).max(65_535).optional(),
    healthCheckPath: z.string().startsWith('/').optional(),
    clientShare: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("share of the listener's clients nearest to this region (equal shares when absent)"),
    endpoints: z.array(EndpointSchema).max(10),
  })
  .strict();

const ListenerSchema = z
  .object({
    protocol: z.enum(['TCP', 'UDP']).optional(),
    portRanges: z
      .array(
        z
          .object({
            fromPort: z.number().int().min(1).max(65_535),
            toPort: z.number().int().min(1).max(65_535),
          })
          .strict(),
      )
      .min(1),
    clientAffinity: z.enum(['NONE', 'SOURCE_IP']).optional(),
    endpointGroups: z.array(EndpointGroupSchema),
  })
  .strict()
  .refine((l) => new Set(l.endpointGroups.map((g) => g.region)).size === l.endpointGroups.length, {
    message: 'one endpoint group per region and listener',
  });

const GaSeedSchema = z
  .object({
    accelerators: z.array(
      z
        .object({
          name: z.string().min(1).max(64),
          enabled: z.boolean().optional(),
          ipAddressType: z.enum(['IPV4', 'DUAL_STACK']).optional(),
          /** IN_PROGRESS for acceleratorDeployMs after the seed, as right after a change. */
          status: z.enum(['DEPLOYED', 'IN_PROGRESS']).optional(),
          listeners: z.array(ListenerSchema),
        })
        .strict(),
    ),
  })
  .strict();

/** Defaults of a new endpoint group (CreateEndpointGroup API reference). */
const GROUP_DEFAULTS = {
  trafficDialPercentage: 100,
  healthCheckIntervalSeconds: 30,
  thresholdCount: 3,
} as const;

const hex = (cloud: LocalCloud, kind: string, digits: number) => {
  const id = cloud.ids.next(`ga-${kind}`, digits);
  return id.slice(id.lastIndexOf('-') + 1);
};

export const seedGlobalAccelerator = (cloud: LocalCloud, input: unknown) => {
  const seed = GaSeedSchema.parse(input);
  const now = cloud.now();
  const created = seed.accelerators.map((a) => {
    const n = hex(cloud, 'accelerator', 12);
    const arn = `arn:aws:globalaccelerator::${cloud.accountId}:accelerator/${n.slice(0, 8)}-0000-4000-8000-${n}`;
    const listeners: ListenerRecord[] = a.listeners.map((l) => {
      const listenerArn = `${arn}/listener/${hex(cloud, 'listener', 8)}`;
      const endpointGroups: EndpointGroupRecord[] = l.endpointGroups.map((g) => ({
        arn: `${listenerArn}/endpoint-group/${hex(cloud, 'endpoint-group', 12)}`,
        region: g.region,
        trafficDialPercentage: g.trafficDialPercentage ?? GROUP_DEFAULTS.trafficDialPercentage,
        healthCheckProtocol: g.healthCheckProtocol ?? 'TCP',
        ...(g.healthCheckPort !== undefined ? { healthCheckPort: g.healthCheckPort } : {}),
        ...(g.healthCheckPath !== undefined ? { healthCheckPath: g.healthCheckPath } : {}),
        healthCheckIntervalSeconds: g.healthCheckIntervalSeconds ?? GROUP_DEFAULTS.healthCheckIntervalSeconds,
        thresholdCount: g.thresholdCount ?? GROUP_DEFAULTS.thresholdCount,
        portOverrides: [],
        ...(g.clientShare !== undefined ? { clientShare: g.clientShare } : {}),
        endpoints: g.endpoints.map((e) => {
          const endpoint = newEndpoint(e.endpointId, now, e.weight ?? DEFAULT_WEIGHT);
          setFrom(endpoint.health, now, e.healthState ?? 'HEALTHY');
          if (e.clientIPPreservationEnabled !== undefined)
            endpoint.clientIPPreservationEnabled = e.clientIPPreservationEnabled;
          return endpoint;
        }),
      }));
      return {
        arn: listenerArn,
        protocol: l.protocol ?? 'TCP',
        portRanges: l.portRanges.map((r) => ({ FromPort: r.fromPort, ToPort: r.toPort })),
        clientAffinity: l.clientAffinity ?? 'NONE',
        endpointGroups,
      };
    });
    const record: AcceleratorRecord = {
      arn,
      name: a.name,
      enabled: a.enabled ?? true,
      ipAddressType: a.ipAddressType ?? 'IPV4',
      ipAddresses: [
        `75.2.${listeners.length}.${(gaStore(cloud).accelerators.length % 250) + 1}`,
        `99.83.0.${(gaStore(cloud).accelerators.length % 250) + 1}`,
      ],
      dnsName: `a${n.padStart(16, '0')}.awsglobalaccelerator.com`,
      createdAt: now,
      lastModifiedAt: now,
      deployedAt: a.status === 'IN_PROGRESS' ? now + cloud.durations.acceleratorDeployMs : now,
      listeners,
    };
    gaStore(cloud).accelerators.push(record);
    return record;
  });
  return {
    accelerators: created.map((a) => ({
      acceleratorArn: a.arn,
      listeners: a.listeners.map((l) => ({
        listenerArn: l.arn,
        endpointGroups: l.endpointGroups.map((g) => ({ region: g.region, endpointGroupArn: g.arn })),
      })),
    })),
  };
};

export const dumpGlobalAccelerator = (cloud: LocalCloud) => {
  const now = cloud.now();
  return {
    accelerators: gaStore(cloud).accelerators.map((a) => ({
      arn: a.arn,
      name: a.name,
      status: statusAt(a, now),
      listeners: a.listeners.map((l) => ({
        arn: l.arn,
        endpointGroups: l.endpointGroups.map((g) => ({
          arn: g.arn,
          region: g.region,
          trafficDialPercentage: g.trafficDialPercentage,
          endpoints: g.endpoints.map((e) => ({
            endpointId: e.endpointId,
            weight: e.weight,
            healthState: healthAt(g, e, now),
          })),
        })),
      })),
    })),
  };
};
