import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { isEc2Id } from '../../ids.ts';
import { jsonAction } from '../../protocol/aws-json.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import { instanceStateAt } from '../ec2/instance-lifecycle.ts';
import type { InstanceRecord } from '../ec2/records.ts';
import { ec2Store } from '../ec2/store.ts';

/**
 * SSM DescribeInstanceInformation over the local EC2 instances (API reference; shapes from the
 * botocore model ssm/2014-11-06). An instance launched by RunInstances from an image whose
 * guest runs an SSM Agent (ec2/guest.ts) registers ssmAgentOnlineMs after it is running and is
 * then `Online`; while it shuts down it is `ConnectionLost` [unconfirmed]; "This operation does
 * not return information for nodes that are either Stopped or Terminated".
 */

/** MaxResults (5–50): "The default value is 10 items". */
const DEFAULT_MAX_RESULTS = 10;
/** What the local agent reports as its version [unconfirmed: a plausible recent SSM Agent]. */
const LOCAL_AGENT_VERSION = '3.3.1142.0';
/** Filters keys that compare against a field; `tag:<key>` and `tag-key` work on the instance's tags. */
const FILTER_KEYS = ['InstanceIds', 'PingStatus', 'PlatformTypes', 'ResourceType', 'AgentVersion'] as const;

const Values = z.array(z.string().min(1)).min(1).max(100);

const DescribeInstanceInformationInput = z.object({
  InstanceInformationFilterList: z.array(z.object({ key: z.string(), valueSet: Values })).optional(),
  Filters: z.array(z.object({ Key: z.string().min(1), Values })).optional(),
  MaxResults: z.number().int().min(5).max(50).optional(),
  NextToken: z.string().optional(),
});

interface ManagedNode {
  instance: InstanceRecord;
  registeredAt: number;
  pingStatus: 'Online' | 'ConnectionLost';
}

export const managedNode = (cloud: LocalCloud, i: InstanceRecord, now: number): ManagedNode | undefined => {
  const launch = i.launch;
  if (!launch?.ssmAgent) return undefined;
  const registeredAt = launch.runningAt + cloud.durations.ssmAgentOnlineMs;
  const state = instanceStateAt(i, now);
  if (state === 'running' && now >= registeredAt) return { instance: i, registeredAt, pingStatus: 'Online' };
  if (state === 'shutting-down' && launch.shutdownAt !== undefined && launch.shutdownAt >= registeredAt)
    return { instance: i, registeredAt, pingStatus: 'ConnectionLost' };
  return undefined;
};

const fieldOf = (node: ManagedNode, key: (typeof FILTER_KEYS)[number]): string => {
  switch (key) {
    case 'InstanceIds':
      return node.instance.id;
    case 'PingStatus':
      return node.pingStatus;
    case 'PlatformTypes':
      return platformOf(node.instance);
    case 'ResourceType':
      return 'EC2Instance';
    case 'AgentVersion':
      return LOCAL_AGENT_VERSION;
  }
};

const platformOf = (i: InstanceRecord): 'Windows' | 'Linux' =>
  i.billing.platformDetails.startsWith('Windows') ? 'Windows' : 'Linux';

const filterOf = (key: string, values: string[]): ((node: ManagedNode) => boolean) => {
  if (key.startsWith('tag:')) {
    const tag = key.slice(4);
    return (n) => values.includes(n.instance.tags.get(tag) ?? '\u0000');
  }
  if (key === 'tag-key') return (n) => values.some((v) => n.instance.tags.has(v));
  const known = FILTER_KEYS.find((k) => k === key);
  if (!known) throw new AwsError('InvalidFilterKey', `The filter key ${key} is not valid.`);
  return (n) => values.includes(fieldOf(n, known));
};

const informationJson = (node: ManagedNode, region: string, now: number) => {
  const i = node.instance;
  const ip = i.launch?.privateIpAddress;
  return {
    InstanceId: i.id,
    PingStatus: node.pingStatus,
    LastPingDateTime: (node.pingStatus === 'Online' ? now : (i.launch?.shutdownAt ?? now)) / 1000,
    AgentVersion: LOCAL_AGENT_VERSION,
    IsLatestVersion: true,
    PlatformType: platformOf(i),
    PlatformName: platformOf(i) === 'Windows' ? 'Microsoft Windows Server 2022 Datacenter' : 'Amazon Linux',
    PlatformVersion: platformOf(i) === 'Windows' ? '10.0.20348' : '2023',
    RegistrationDate: node.registeredAt / 1000,
    ResourceType: 'EC2Instance',
    ...(ip
      ? { IPAddress: ip, ComputerName: `ip-${ip.replaceAll('.', '-')}.${region}.compute.internal` }
      : {}),
  };
};

export const describeInstanceInformation = jsonAction({
  input: DescribeInstanceInformationInput,
  run: ({ cloud, region, input }) => {
    const now = cloud.now();
    const filters = [
      ...(input.Filters ?? []).map((f) => ({ key: f.Key, values: f.Values })),
      ...(input.InstanceInformationFilterList ?? []).map((f) => ({ key: f.key, values: f.valueSet })),
    ];
    const instances = ec2Store(cloud).region(region).instances;
    // "If you specify a node ID that isn't valid or a node that you don't own, you receive an error."
    for (const f of filters.filter((f) => f.key === 'InstanceIds'))
      for (const id of f.values)
        if (!isEc2Id('i', id) || !instances.has(id))
          throw new AwsError(
            'InvalidInstanceId',
            `Instance id ${id} is not valid or not owned by this account.`,
          );
    const tests = filters.map((f) => filterOf(f.key, f.values));
    const nodes = [...instances.values()]
      .map((i) => managedNode(cloud, i, now))
      .filter((n): n is ManagedNode => n !== undefined && tests.every((t) => t(n)))
      .sort((a, b) => a.instance.id.localeCompare(b.instance.id));
    const scope = `instance-information:${region}`;
    const offset = decodePageToken(
      scope,
      input.NextToken,
      () => new AwsError('InvalidNextToken', 'The specified token is not valid.'),
    );
    const { page, nextToken } = pageOf(nodes, scope, offset, input.MaxResults ?? DEFAULT_MAX_RESULTS);
    return {
      InstanceInformationList: page.map((n) => informationJson(n, region, now)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
});
