/**
 * Global Accelerator (the Accelerators port). The API is served from US West (Oregon) only:
 * "you must specify the US West (Oregon) Region to create, update, or otherwise work with
 * accelerators" (Global Accelerator API Reference / Developer Guide, "AWS Region availability
 * for AWS Global Accelerator"), so the client is always `us-west-2`, whatever the endpoint
 * regions are. Only Describe and UpdateEndpointGroup are called (and only the dial is sent:
 * UpdateEndpointGroup without EndpointConfigurations leaves endpoints and weights as they are).
 */
import {
  DescribeAcceleratorCommand,
  DescribeEndpointGroupCommand,
  GlobalAcceleratorClient,
  type GlobalAcceleratorClientConfig,
  UpdateEndpointGroupCommand,
} from '@aws-sdk/client-global-accelerator';
import type { Accelerators } from '../backup-service/ports/drill.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

/** The one region the Global Accelerator API is called in. */
const GLOBAL_ACCELERATOR_API_REGION = 'us-west-2';

export function createAccelerators(
  options: { config?: Omit<GlobalAcceleratorClientConfig, 'region'>; client?: GlobalAcceleratorClient } = {},
): Accelerators {
  const client =
    options.client ??
    new GlobalAcceleratorClient({ ...options.config, region: GLOBAL_ACCELERATOR_API_REGION });
  const notFound = async <T>(
    operation: string,
    code: string,
    run: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (sdkErrorCode(error) === code) return undefined;
      throw toAwsCallError('GlobalAccelerator', operation, error);
    }
  };
  return {
    async status(acceleratorArn) {
      const out = await notFound('DescribeAccelerator', 'AcceleratorNotFoundException', () =>
        client.send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn })),
      );
      return out?.Accelerator?.Status;
    },
    async endpointGroup(endpointGroupArn) {
      const out = await notFound('DescribeEndpointGroup', 'EndpointGroupNotFoundException', () =>
        client.send(new DescribeEndpointGroupCommand({ EndpointGroupArn: endpointGroupArn })),
      );
      const group = out?.EndpointGroup;
      if (group === undefined) return undefined;
      return {
        endpointGroupArn: group.EndpointGroupArn ?? endpointGroupArn,
        region: group.EndpointGroupRegion ?? '',
        // TrafficDialPercentage defaults to 100 (UpdateEndpointGroup API reference).
        dial: group.TrafficDialPercentage ?? 100,
        endpoints: (group.EndpointDescriptions ?? []).map((e) => ({
          endpointId: e.EndpointId ?? '',
          // Weight defaults to 128 (Developer Guide, "Endpoint weights").
          weight: e.Weight ?? 128,
          ...(e.HealthState === undefined ? {} : { healthState: e.HealthState }),
        })),
      };
    },
    async setDial(endpointGroupArn, dial) {
      try {
        await client.send(
          new UpdateEndpointGroupCommand({ EndpointGroupArn: endpointGroupArn, TrafficDialPercentage: dial }),
        );
      } catch (error) {
        throw toAwsCallError('GlobalAccelerator', 'UpdateEndpointGroup', error);
      }
    },
  };
}
