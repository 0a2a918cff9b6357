import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { ec2ErrorResponse } from '../../protocol/errors.ts';
import { QueryParams } from '../../protocol/query.ts';
import { type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';
import { isRegionName, REGIONS } from './regions.ts';

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export interface Ec2Context {
  cloud: LocalCloud;
  region: string;
  params: QueryParams;
  requestId: string;
}

export type Ec2Action = (ctx: Ec2Context) => XmlObject;

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
  availabilityZoneInfo: ['a', 'b', 'c'].map((letter, i) => ({
    zoneName: `${region}${letter}`,
    zoneState: 'available',
    regionName: region,
    zoneId: `${region.replace(/-/g, '').slice(0, 4)}-az${i + 1}`,
    zoneType: 'availability-zone',
    optInStatus: 'opt-in-not-required',
  })),
});

export const ACTIONS: Record<string, Ec2Action> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
};

const respond = (action: string, requestId: string, result: XmlObject): LocalResponse => ({
  status: 200,
  headers: { 'content-type': 'text/xml;charset=UTF-8' },
  body: xmlDocument(`${action}Response`, { requestId, ...result }, EC2_XMLNS),
});

export const ec2Service: LocalService = {
  name: 'ec2',
  route(req: LocalRequest, cloud: LocalCloud) {
    const params = QueryParams.parse(req.body.toString('utf8'), req.query);
    const action = params.get('Action');
    if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
    const handler = ACTIONS[action];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
    if (!isRegionName(req.region)) {
      throw new AwsError('AuthFailure', `The region ${req.region} is not a valid EC2 region.`, 401);
    }
    return {
      action,
      run: () =>
        respond(
          action,
          req.requestId,
          handler({ cloud, region: req.region, params, requestId: req.requestId }),
        ),
    };
  },
  renderError: (error, req) => ec2ErrorResponse(error, req.requestId),
};
