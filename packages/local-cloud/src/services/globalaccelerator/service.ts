import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { awsJsonService } from '../../protocol/aws-json.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';
import { AtSchema, instantOf, setFrom } from '../../timeline.ts';
import { GA_ACTIONS } from './actions.ts';
import { dumpGlobalAccelerator, seedGlobalAccelerator } from './seed.ts';
import { findAccelerator, findListener, gaStore } from './store.ts';
import { trafficOf } from './traffic.ts';

/**
 * AWS Global Accelerator (awsJson1_1, `GlobalAccelerator_V20180706.*`). "You must specify the
 * US West (Oregon) Region to create, update, or otherwise work with accelerators" (API
 * reference): a request signed for any other region gets no answer at all — its connection is
 * closed, so the SDK sees a network error as for an endpoint that does not resolve, never a
 * service error [unconfirmed: how other regions' endpoints answer is not documented].
 */
const GLOBAL_ACCELERATOR_API_REGION = 'us-west-2';

const HealthInput = z
  .object({
    endpointId: z.string().min(1),
    /** Only in this group; every group holding the endpoint when absent. */
    endpointGroupArn: z.string().min(1).optional(),
    healthState: z.enum(['INITIAL', 'HEALTHY', 'UNHEALTHY']),
    at: AtSchema,
  })
  .strict();

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Sets an endpoint's health from `at` (now by default) on; returns the groups it changed in. */
const setHealth = (cloud: LocalCloud, input: z.infer<typeof HealthInput>): LocalResponse => {
  const at = instantOf(input.at, cloud.now());
  const changed: string[] = [];
  for (const a of gaStore(cloud).accelerators)
    for (const l of a.listeners)
      for (const g of l.endpointGroups) {
        if (input.endpointGroupArn !== undefined && g.arn !== input.endpointGroupArn) continue;
        for (const e of g.endpoints)
          if (e.endpointId === input.endpointId) {
            setFrom(e.health, at, input.healthState);
            changed.push(g.arn);
          }
      }
  if (changed.length === 0)
    return json(404, { message: `no endpoint ${input.endpointId} in any endpoint group` });
  return json(200, { endpointGroupArns: changed });
};

/** `listenerArn`, or `acceleratorArn` for its first listener. */
const traffic = (cloud: LocalCloud, query: URLSearchParams): LocalResponse => {
  const listenerArn = query.get('listenerArn');
  const acceleratorArn = query.get('acceleratorArn');
  const listener = listenerArn
    ? findListener(cloud, listenerArn)
    : acceleratorArn
      ? findAccelerator(cloud, acceleratorArn).listeners[0]
      : undefined;
  if (!listener)
    return json(400, { message: 'give listenerArn, or acceleratorArn of an accelerator with a listener' });
  return json(200, trafficOf(listener, cloud.now()));
};

const api = awsJsonService({
  name: 'globalaccelerator',
  targetPrefix: 'GlobalAccelerator_V20180706',
  actions: GA_ACTIONS,
  // The model has no ValidationException: constraint violations are InvalidArgumentException [unconfirmed].
  validationErrorCode: 'InvalidArgumentException',
  seed: seedGlobalAccelerator,
  dump: dumpGlobalAccelerator,
  control(cloud, method, subpath, body, query) {
    if (method === 'POST' && subpath === '/globalaccelerator/endpoint-health')
      return setHealth(cloud, HealthInput.parse(body));
    if (method === 'GET' && subpath === '/globalaccelerator/traffic') return traffic(cloud, query);
    return undefined;
  },
});

export const globalAcceleratorService: LocalService = {
  ...api,
  route(req: LocalRequest, cloud: LocalCloud) {
    const operation = api.route(req, cloud);
    if (req.region === GLOBAL_ACCELERATOR_API_REGION) return operation;
    cloud.counters.add('globalaccelerator.wrongRegionCalls');
    return { action: operation.action, run: () => ({ status: 0, dropConnection: true }) };
  },
};
