/**
 * SSM managed-instance status (the ManagedInstances port): DescribeInstanceInformation
 * filtered by instance id; an instance the agent never registered is simply absent.
 */
import { DescribeInstanceInformationCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import type { ManagedInstances } from '../backup-service/ports/verification.ts';
import { toAwsCallError } from './errors.ts';

export function createManagedInstances(
  options: { config?: Omit<SSMClientConfig, 'region'> } = {},
): ManagedInstances {
  const byRegion = new Map<string, SSMClient>();
  const clientFor = (region: string) => {
    let client = byRegion.get(region);
    if (client === undefined) {
      client = new SSMClient({ ...options.config, region });
      byRegion.set(region, client);
    }
    return client;
  };
  return {
    async pingStatus(region, instanceIds) {
      const out = new Map<string, string>();
      if (instanceIds.length === 0) return out;
      let NextToken: string | undefined;
      do {
        const page = await clientFor(region)
          .send(
            new DescribeInstanceInformationCommand({
              Filters: [{ Key: 'InstanceIds', Values: [...instanceIds] }],
              NextToken,
            }),
          )
          .catch((error: unknown) => {
            throw toAwsCallError('SSM', 'DescribeInstanceInformation', error);
          });
        for (const info of page.InstanceInformationList ?? [])
          if (info.InstanceId !== undefined && info.PingStatus !== undefined)
            out.set(info.InstanceId, info.PingStatus);
        NextToken = page.NextToken;
      } while (NextToken !== undefined && NextToken !== '');
      return out;
    },
  };
}
