import { type ControlClient, LOCAL_ACCOUNT_ID } from '@shipyard/local-cloud';

/** The account `npm start` rehearses in: realistic, small, with things Shipyard must not touch. */
export const DEMO = {
  backupRegion: 'ap-south-1',
  unmanagedSnapshotTag: { Name: 'hand-made-before-shipyard' },
  sites: {
    web: { bucket: 'shipyard-demo-site', prefix: 'site/', distributions: ['E1SHIPYARDDEMO'] },
    docs: { bucket: 'shipyard-demo-docs', prefix: '', distributions: ['E2SHIPYARDDOCS', 'E3SHIPYARDDOCS'] },
  },
  /** The service behind Global Accelerator: Mumbai serving, California standing by at dial 0. */
  accelerator: { name: 'shipyard-demo-web', primaryRegion: 'ap-south-1', standbyRegion: 'us-west-1' },
} as const;

const loadBalancer = (region: string, id: string) =>
  `arn:aws:elasticloadbalancing:${region}:${LOCAL_ACCOUNT_ID}:loadbalancer/app/${DEMO.accelerator.name}/${id}`;

const LOAD_BALANCER_IDS = {
  [DEMO.accelerator.primaryRegion]: '0a1b2c3d4e5f6071',
  [DEMO.accelerator.standbyRegion]: '8192a3b4c5d6e7f8',
};

/** The accelerator's endpoints: one load balancer per region, each with a healthy target. */
const demoLoadBalancers = {
  loadBalancers: Object.entries(LOAD_BALANCER_IDS).map(([region, id]) => ({
    region,
    name: DEMO.accelerator.name,
    id,
    targetGroups: [{ name: `${DEMO.accelerator.name}-tg`, targets: [{ id: `i-${id}0` }] }],
  })),
};

const demoAccelerator = {
  accelerators: [
    {
      name: DEMO.accelerator.name,
      listeners: [
        {
          portRanges: [{ fromPort: 443, toPort: 443 }],
          endpointGroups: [
            {
              region: DEMO.accelerator.primaryRegion,
              endpoints: [
                {
                  endpointId: loadBalancer(
                    DEMO.accelerator.primaryRegion,
                    LOAD_BALANCER_IDS[DEMO.accelerator.primaryRegion],
                  ),
                },
              ],
            },
            {
              region: DEMO.accelerator.standbyRegion,
              trafficDialPercentage: 0,
              endpoints: [
                {
                  endpointId: loadBalancer(
                    DEMO.accelerator.standbyRegion,
                    LOAD_BALANCER_IDS[DEMO.accelerator.standbyRegion],
                  ),
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

const instance = (
  name: string,
  architecture: 'x86_64' | 'arm64',
  volumes: { device: string; size: number; type: 'gp3' | 'io2'; iops?: number }[],
  tags: Record<string, string>,
) => ({
  region: DEMO.backupRegion,
  name,
  tags: { Name: name, ...tags },
  availabilityZone: `${DEMO.backupRegion}a`,
  architecture,
  rootDeviceName: '/dev/xvda',
  bootMode: 'uefi',
  enaSupport: true,
  instanceType: architecture === 'arm64' ? 'm7g.large' : 'm7i.large',
  volumes: volumes.map((v) => ({
    deviceName: v.device,
    sizeGiB: v.size,
    volumeType: v.type,
    ...(v.iops ? { iops: v.iops } : {}),
    deleteOnTermination: v.device === '/dev/xvda',
  })),
});

/** The seeded accelerator: what a drill of it names. */
export interface SeededAccelerator {
  acceleratorArn: string;
  groups: { primary: string; standby: string };
}

interface SeedResult {
  globalaccelerator: {
    accelerators: {
      acceleratorArn: string;
      listeners: { endpointGroups: { region: string; endpointGroupArn: string }[] }[];
    }[];
  };
}

/** A verification subnet and security group (ids from the config): a VPC with only its local route, no inbound rule. */
export interface VerificationNetwork {
  region: string;
  subnetId: string;
  securityGroupId: string;
}

const isolatedNetwork = (networks: readonly VerificationNetwork[]) => {
  const vpcOf = (n: VerificationNetwork) => n.subnetId.replace(/^subnet-/, 'vpc-');
  return {
    vpcs: networks.map((n) => ({ region: n.region, vpcId: vpcOf(n), cidrBlock: '10.20.0.0/16' })),
    subnets: networks.map((n) => ({
      region: n.region,
      subnetId: n.subnetId,
      vpcId: vpcOf(n),
      cidrBlock: '10.20.1.0/24',
      tags: { Name: 'shipyard-verification' },
    })),
    securityGroups: networks.map((n) => ({
      region: n.region,
      groupId: n.securityGroupId,
      groupName: 'shipyard-verification',
      description: 'no inbound rule',
      vpcId: vpcOf(n),
    })),
  };
};

const acceleratorOf = (result: SeedResult): SeededAccelerator => {
  const [accelerator] = result.globalaccelerator.accelerators;
  const groups = accelerator?.listeners.flatMap((l) => l.endpointGroups) ?? [];
  const arnIn = (region: string) => groups.find((g) => g.region === region)?.endpointGroupArn;
  const primary = arnIn(DEMO.accelerator.primaryRegion);
  const standby = arnIn(DEMO.accelerator.standbyRegion);
  if (accelerator === undefined || primary === undefined || standby === undefined)
    throw new Error('the seeded accelerator has no endpoint group in its primary or standby region');
  return { acceleratorArn: accelerator.acceleratorArn, groups: { primary, standby } };
};

/**
 * Seeds instances, distributions with origin paths, the site buckets' current release, the
 * verification networks and the accelerator.
 */
export const seedDemoAccount = async (
  control: ControlClient,
  release: { web: Record<string, string>; docs: Record<string, string> },
  verification: readonly VerificationNetwork[],
): Promise<SeededAccelerator> => {
  const seeded = await control.seed<SeedResult>({
    ec2: {
      network: isolatedNetwork(verification),
      instances: [
        instance('web-1', 'x86_64', [{ device: '/dev/xvda', size: 8, type: 'gp3' }], { Backup: 'nightly' }),
        instance('web-2', 'arm64', [{ device: '/dev/xvda', size: 8, type: 'gp3' }], { Backup: 'nightly' }),
        instance(
          'db-1',
          'x86_64',
          [
            { device: '/dev/xvda', size: 20, type: 'gp3' },
            { device: '/dev/sdf', size: 100, type: 'io2', iops: 3000 },
            { device: '/dev/sdg', size: 50, type: 'gp3' },
          ],
          { Backup: 'nightly' },
        ),
        // Not selected by the policy: must never be snapshotted.
        instance('build-agent', 'x86_64', [{ device: '/dev/xvda', size: 30, type: 'gp3' }], {}),
      ],
      // Someone's own snapshot from before Shipyard: rotation must never touch it.
      snapshots: [{ region: DEMO.backupRegion, sizeGiB: 8, tags: DEMO.unmanagedSnapshotTag }],
    },
    cloudfront: {
      distributions: [
        {
          id: 'E1SHIPYARDDEMO',
          comment: 'web: S3 origin with origin path /site',
          defaultRootObject: 'index.html',
          origins: [
            { id: 'site', domainName: `${DEMO.sites.web.bucket}.s3.amazonaws.com`, originPath: '/site' },
          ],
        },
        ...DEMO.sites.docs.distributions.map((id) => ({
          id,
          comment: 'docs',
          defaultRootObject: 'index.html',
          origins: [{ id: 'docs', domainName: `${DEMO.sites.docs.bucket}.s3.amazonaws.com` }],
        })),
      ],
    },
    s3: {
      buckets: [
        {
          name: DEMO.sites.web.bucket,
          objects: Object.entries(release.web).map(([key, body]) => ({
            key: `${DEMO.sites.web.prefix}${key}`,
            body,
          })),
        },
        {
          name: DEMO.sites.docs.bucket,
          objects: Object.entries(release.docs).map(([key, body]) => ({ key, body })),
        },
      ],
    },
    globalaccelerator: demoAccelerator,
    elasticloadbalancing: demoLoadBalancers,
  });
  return acceleratorOf(seeded);
};
