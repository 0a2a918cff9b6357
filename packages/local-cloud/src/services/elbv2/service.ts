import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import { QueryParams } from '../../protocol/query.ts';
import { escapeXml, list, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';

/**
 * Elastic Load Balancing v2 (query protocol, `Action=…&Version=2015-12-01`, signed as
 * `elasticloadbalancing`): the read subset a drill's parity gate needs — load balancers and
 * their target groups (DescribeTargetGroups by LoadBalancerArn, TargetGroupArns or Names;
 * Marker/PageSize 1–400) and the health of their targets (DescribeTargetHealth). Shapes,
 * limits and error codes from the API reference and the botocore model elbv2/2015-12-01
 * (LoadBalancerNotFound, TargetGroupNotFound: 400, Sender; TargetHealth.State initial |
 * healthy | unhealthy | unhealthy.draining | unused | draining | unavailable). Health is set by
 * the seed and by `POST /_shipyard/elbv2/target-health`; nothing here runs health checks.
 */
const XMLNS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const TARGET_STATES = [
  'initial',
  'healthy',
  'unhealthy',
  'unhealthy.draining',
  'unused',
  'draining',
  'unavailable',
] as const;
/** PageSize when absent [unconfirmed: the reference gives only the 1–400 range]. */
const DEFAULT_PAGE_SIZE = 400;

interface Target {
  id: string;
  port: number;
  state: (typeof TARGET_STATES)[number];
  reason?: string;
}

interface TargetGroup {
  arn: string;
  name: string;
  region: string;
  port: number;
  protocol: string;
  loadBalancerArns: string[];
  targets: Target[];
}

interface LoadBalancer {
  arn: string;
  name: string;
  region: string;
  type: 'application' | 'network';
}

interface Elbv2Store {
  loadBalancers: Map<string, LoadBalancer>;
  targetGroups: Map<string, TargetGroup>;
  next: number;
}

const elbStore = (cloud: LocalCloud): Elbv2Store =>
  cloud.store('elbv2', () => ({ loadBalancers: new Map(), targetGroups: new Map(), next: 0 }));

const hexId = (store: Elbv2Store): string => {
  store.next += 1;
  return store.next.toString(16).padStart(16, '0');
};

/** `Name.member.N` (the query protocol's list encoding). */
const members = (params: QueryParams, name: string): string[] => {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const value = params.get(`${name}.member.${i}`);
    if (value === undefined) return out;
    out.push(value);
  }
};

const validation = (message: string) => new AwsError('ValidationError', message);
const lbNotFound = () => new AwsError('LoadBalancerNotFound', 'One or more load balancers not found');
const tgNotFound = () => new AwsError('TargetGroupNotFound', 'One or more target groups not found');

const targetGroupXml = (g: TargetGroup): XmlObject => ({
  TargetGroupArn: g.arn,
  TargetGroupName: g.name,
  Protocol: g.protocol,
  Port: g.port,
  VpcId: 'vpc-00000000000000001',
  HealthCheckProtocol: g.protocol,
  HealthCheckPort: 'traffic-port',
  HealthCheckEnabled: true,
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  LoadBalancerArns: list('member', g.loadBalancerArns),
  TargetType: 'instance',
});

type Action = (cloud: LocalCloud, region: string, params: QueryParams) => XmlObject;

const describeTargetGroups: Action = (cloud, region, params) => {
  const store = elbStore(cloud);
  const lbArn = params.get('LoadBalancerArn');
  const arns = members(params, 'TargetGroupArns');
  const names = members(params, 'Names');
  if ([lbArn !== undefined, arns.length > 0, names.length > 0].filter(Boolean).length > 1)
    // "you can specify one of the following to filter the results" [unconfirmed: the exact message].
    throw validation('Only one of LoadBalancerArn, TargetGroupArns or Names can be specified');
  const pageSize = params.int('PageSize') ?? DEFAULT_PAGE_SIZE;
  if (pageSize < 1 || pageSize > 400)
    throw validation(
      `1 validation error detected: Value '${pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`,
    );
  const inRegion = [...store.targetGroups.values()].filter((g) => g.region === region);
  let groups = inRegion;
  if (lbArn !== undefined) {
    const lb = store.loadBalancers.get(lbArn);
    if (lb === undefined || lb.region !== region) throw lbNotFound();
    groups = inRegion.filter((g) => g.loadBalancerArns.includes(lbArn));
  } else if (arns.length > 0 || names.length > 0) {
    groups = inRegion.filter((g) => arns.includes(g.arn) || names.includes(g.name));
    // Any one that does not exist fails the whole call.
    if (groups.length < new Set([...arns, ...names]).size) throw tgNotFound();
  }
  const scope = `elbv2-target-groups:${region}:${lbArn ?? ''}:${arns.join(',')}:${names.join(',')}`;
  const offset = decodePageToken(scope, params.get('Marker'), () => validation('Invalid Marker'));
  const { page, nextToken } = pageOf(groups, scope, offset, pageSize);
  return {
    TargetGroups: list('member', page.map(targetGroupXml)),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
};

const describeTargetHealth: Action = (cloud, region, params) => {
  const group = elbStore(cloud).targetGroups.get(params.required('TargetGroupArn'));
  if (group === undefined || group.region !== region) throw tgNotFound();
  const wanted = [];
  for (let i = 1; ; i++) {
    const id = params.get(`Targets.member.${i}.Id`);
    if (id === undefined) break;
    wanted.push(id);
  }
  const targets: Target[] =
    wanted.length === 0
      ? group.targets
      : wanted.map(
          (id) =>
            group.targets.find((t) => t.id === id) ?? {
              id,
              port: group.port,
              state: 'unused',
              reason: 'Target.NotRegistered',
            },
        );
  return {
    TargetHealthDescriptions: list(
      'member',
      targets.map((t) => ({
        Target: { Id: t.id, Port: t.port },
        HealthCheckPort: String(t.port),
        TargetHealth: {
          State: t.state,
          ...(t.reason === undefined ? {} : { Reason: t.reason }),
        },
      })),
    ),
  };
};

const ACTIONS: Record<string, Action> = {
  DescribeTargetGroups: describeTargetGroups,
  DescribeTargetHealth: describeTargetHealth,
};

const TargetSeed = z
  .object({
    id: z.string().min(1),
    port: z.number().int().min(1).max(65_535).optional(),
    state: z.enum(TARGET_STATES).optional().describe('healthy when absent'),
    reason: z.string().min(1).optional(),
  })
  .strict();

const Elbv2SeedSchema = z
  .object({
    loadBalancers: z.array(
      z
        .object({
          region: z.string().min(1),
          name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
          type: z.enum(['application', 'network']).optional().describe('application when absent'),
          id: z
            .string()
            .regex(/^[0-9a-f]{16}$/)
            .optional()
            .describe(
              "the ARN's last part, for a seed that names the ARN elsewhere (an accelerator endpoint); generated when absent",
            ),
          targetGroups: z.array(
            z
              .object({
                name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
                port: z.number().int().min(1).max(65_535).optional(),
                protocol: z.string().min(1).optional(),
                targets: z.array(TargetSeed).default([]),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

const TargetHealthInput = z
  .object({
    targetGroupArn: z.string().min(1),
    targetId: z.string().min(1),
    state: z.enum(TARGET_STATES),
    reason: z.string().min(1).optional(),
  })
  .strict();

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function seedElbv2(cloud: LocalCloud, input: unknown) {
  const seed = Elbv2SeedSchema.parse(input);
  const store = elbStore(cloud);
  return {
    loadBalancers: seed.loadBalancers.map((lb) => {
      const type = lb.type ?? 'application';
      const arn = `arn:aws:elasticloadbalancing:${lb.region}:${cloud.accountId}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${lb.name}/${lb.id ?? hexId(store)}`;
      store.loadBalancers.set(arn, { arn, name: lb.name, region: lb.region, type });
      const targetGroupArns = lb.targetGroups.map((g) => {
        const tgArn = `arn:aws:elasticloadbalancing:${lb.region}:${cloud.accountId}:targetgroup/${g.name}/${hexId(store)}`;
        const port = g.port ?? 80;
        store.targetGroups.set(tgArn, {
          arn: tgArn,
          name: g.name,
          region: lb.region,
          port,
          protocol: g.protocol ?? (type === 'application' ? 'HTTP' : 'TCP'),
          loadBalancerArns: [arn],
          targets: g.targets.map((t) => ({
            id: t.id,
            port: t.port ?? port,
            state: t.state ?? 'healthy',
            ...(t.reason === undefined ? {} : { reason: t.reason }),
          })),
        });
        return tgArn;
      });
      return { loadBalancerArn: arn, targetGroupArns };
    }),
  };
}

/** Sets (or registers) one target's health; answers 404 for an unknown target group. */
function setTargetHealth(cloud: LocalCloud, input: z.infer<typeof TargetHealthInput>): LocalResponse {
  const group = elbStore(cloud).targetGroups.get(input.targetGroupArn);
  if (group === undefined) return json(404, { message: `no target group ${input.targetGroupArn}` });
  const existing = group.targets.find((t) => t.id === input.targetId);
  const target = existing ?? { id: input.targetId, port: group.port, state: input.state };
  target.state = input.state;
  if (input.reason === undefined) delete target.reason;
  else target.reason = input.reason;
  if (existing === undefined) group.targets.push(target);
  return json(200, { targetGroupArn: group.arn, targetId: target.id, state: target.state });
}

export const elbv2Service: LocalService = {
  name: 'elasticloadbalancing',
  route(req: LocalRequest, cloud: LocalCloud) {
    const params = QueryParams.parse(req.body.toString('utf8'), req.query);
    const action = params.get('Action') ?? '';
    const handler = ACTIONS[action];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    return {
      action,
      run: (): LocalResponse => ({
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': req.requestId },
        body: xmlDocument(
          `${action}Response`,
          {
            [`${action}Result`]: handler(cloud, req.region, params),
            ResponseMetadata: { RequestId: req.requestId },
          },
          XMLNS,
        ),
      }),
    };
  },
  renderError: (error: AwsError, req: LocalRequest): LocalResponse => ({
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': req.requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${req.requestId}</RequestId></ErrorResponse>`,
  }),
  seed: seedElbv2,
  dump(cloud) {
    const store = elbStore(cloud);
    return {
      loadBalancers: [...store.loadBalancers.values()],
      targetGroups: [...store.targetGroups.values()],
    };
  },
  control(cloud, method, subpath, body) {
    if (method === 'POST' && subpath === '/elbv2/target-health')
      return setTargetHealth(cloud, TargetHealthInput.parse(body));
    return undefined;
  },
};
