/**
 * The EC2 adapter of the backup workflow — with its parts (`ec2-describe.ts`, `ec2-snapshots.ts`,
 * `ec2-images.ts`), the only modules that import the EC2 SDK.
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { Ec2Port, Ec2PortFactory } from '../backup-service/ports/ec2.ts';
import { ec2Reads } from './ec2-describe.ts';
import { ec2Images } from './ec2-images.ts';
import { ec2PortContext } from './ec2-port-context.ts';
import { ec2Snapshots } from './ec2-snapshots.ts';

/** Page size for every listing (the APIs accept 5–1000; smaller pages in tests prove paging). */
const DEFAULT_PAGE_SIZE = 500;

export interface Ec2AdapterOptions {
  /** Builds the SDK client of a region; by default `new EC2Client({ region, ...clientConfig })`. */
  clientFor?: (region: string) => EC2Client;
  /** Extra SDK config (endpoint, credentials, retry settings). */
  clientConfig?: Omit<EC2ClientConfig, 'region'>;
  pageSize?: number;
}

/**
 * The EC2 port of one region over an SDK client.
 *
 * @example
 * const port = createEc2Port(new EC2Client({ region: 'eu-west-1' }), 'eu-west-1');
 * await port.describeSnapshots({ tags: { 'shipyard:run': ['nightly-2026-11-20'] } });
 */
export function createEc2Port(client: EC2Client, region: string, pageSize = DEFAULT_PAGE_SIZE): Ec2Port {
  const ctx = ec2PortContext(client, region, pageSize);
  return { region, ...ec2Reads(ctx), ...ec2Snapshots(ctx), ...ec2Images(ctx) };
}

/**
 * One port per region, clients built on first use and kept (a Lambda container reuses
 * them across invocations).
 *
 * @example
 * const ec2 = createEc2PortFactory({ clientConfig: { endpoint: 'http://127.0.0.1:4566' } });
 * await ec2('eu-west-1').describeImages({ names: ['shipyard/nightly/i-1/nightly-2026-11-20'] });
 */
export function createEc2PortFactory(options: Ec2AdapterOptions = {}): Ec2PortFactory {
  const ports = new Map<string, Ec2Port>();
  const clientFor =
    options.clientFor ?? ((region: string) => new EC2Client({ ...options.clientConfig, region }));
  return (region) => {
    let port = ports.get(region);
    if (port === undefined) {
      port = createEc2Port(clientFor(region), region, options.pageSize ?? DEFAULT_PAGE_SIZE);
      ports.set(region, port);
    }
    return port;
  };
}
