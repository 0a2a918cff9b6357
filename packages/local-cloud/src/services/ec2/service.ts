import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { ec2ErrorResponse } from '../../protocol/errors.ts';
import { QueryParams } from '../../protocol/query.ts';
import { type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';
import type { Ec2Action } from './context.ts';
import { copyImage, copySnapshot } from './copy.ts';
import { createImage, deregisterImage, describeImages, registerImage } from './images.ts';
import { settleInstances } from './instance-lifecycle.ts';
import { describeInstanceStatus } from './instance-status.ts';
import { describeInstances, getInstanceUefiData } from './instances.ts';
import { describeImageAttribute, modifyImageAttribute } from './launch-permissions.ts';
import {
  createLaunchTemplate,
  createLaunchTemplateVersion,
  describeLaunchTemplates,
  describeLaunchTemplateVersions,
  modifyLaunchTemplate,
} from './launch-templates.ts';
import {
  describeInternetGateways,
  describeRouteTables,
  describeSecurityGroups,
  describeSubnets,
  describeVpcs,
} from './network.ts';
import { isRegionName, REGIONS, zonesOf } from './regions.ts';
import { throttleRequest } from './request-throttle.ts';
import { runInstances, terminateInstances } from './run-instances.ts';
import { dumpEc2, seedEc2 } from './seed.ts';
import { createSnapshot, createSnapshots, deleteSnapshot, describeSnapshots } from './snapshots.ts';
import { ec2Store } from './store.ts';
import { createTags, deleteTags } from './tags.ts';
import { type Ec2ActionName, isEc2ActionName } from './throttling.ts';
import { createVolume, describeVolumes } from './volumes.ts';

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const describeRegions: Ec2Action = ({ params }) => {
  const wanted = params.list('RegionName');
  const regions = REGIONS.filter((r) => wanted.length === 0 || wanted.includes(r));
  return {
    regionInfo: regions.map((r) => ({
      regionName: r,
      regionEndpoint: `ec2.${r}.amazonaws.com`,
      optInStatus: 'opt-in-not-required',
    })),
  };
};

const describeAvailabilityZones: Ec2Action = ({ region }) => ({
  availabilityZoneInfo: zonesOf(region).map((zoneName, i) => ({
    zoneName,
    zoneState: 'available',
    regionName: region,
    zoneId: `${region.replace(/-/g, '').slice(0, 4)}-az${i + 1}`,
    zoneType: 'availability-zone',
    optInStatus: 'opt-in-not-required',
  })),
});

/** Keyed by the throttling table's names, so that no action goes without a bucket. */
const ACTIONS: Record<Ec2ActionName, Ec2Action> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeInstances: describeInstances,
  DescribeVolumes: describeVolumes,
  CreateVolume: createVolume,
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  CopySnapshot: copySnapshot,
  RegisterImage: registerImage,
  CreateImage: createImage,
  GetInstanceUefiData: getInstanceUefiData,
  DescribeImages: describeImages,
  CopyImage: copyImage,
  DeregisterImage: deregisterImage,
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  RunInstances: runInstances,
  TerminateInstances: terminateInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  CreateLaunchTemplate: createLaunchTemplate,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  ModifyLaunchTemplate: modifyLaunchTemplate,
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeRouteTables: describeRouteTables,
  DescribeInternetGateways: describeInternetGateways,
  DescribeSecurityGroups: describeSecurityGroups,
};

const respond = (action: string, requestId: string, result: XmlObject): LocalResponse => ({
  status: 200,
  headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
  body: xmlDocument(`${action}Response`, { requestId, ...result }, EC2_XMLNS),
});

export const ec2Service: LocalService = {
  name: 'ec2',
  route(req: LocalRequest, cloud: LocalCloud) {
    const params = QueryParams.parse(req.body.toString('utf8'), req.query);
    const action = params.get('Action');
    if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
    const handler = isEc2ActionName(action) ? ACTIONS[action] : undefined;
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
    if (!isRegionName(req.region)) {
      throw new AwsError('AuthFailure', `The region ${req.region} is not a valid EC2 region.`, 401);
    }
    return {
      action,
      run: () => {
        const store = ec2Store(cloud);
        throttleRequest(cloud, store.throttle, req.region, action, params);
        settleInstances(store.region(req.region), cloud.now());
        const ctx = {
          cloud,
          store,
          region: req.region,
          state: store.region(req.region),
          params,
          requestId: req.requestId,
          now: cloud.now(),
        };
        // DryRun answers as AWS does for a permitted caller, after nothing has changed.
        if (params.bool('DryRun'))
          throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
        return respond(action, req.requestId, handler(ctx));
      },
    };
  },
  renderError: (error, req) => ec2ErrorResponse(error, req.requestId),
  seed: seedEc2,
  dump: dumpEc2,
};
