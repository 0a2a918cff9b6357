import type { XmlObject } from '../../protocol/xml.ts';
import type { Ec2Action } from './context.ts';
import { invalidCombination } from './errors.ts';
import { compileFilters, parseFilters } from './filters.ts';
import { instanceStateAt } from './instance-lifecycle.ts';
import { selectInstances } from './instances.ts';
import { PAGE_RANGES } from './limits.ts';
import { maxResultsParam } from './pagination.ts';
import type { InstanceRecord } from './records.ts';
import { instanceStateXml } from './render.ts';

/**
 * DescribeInstanceStatus (EC2 API reference; "Status checks for Amazon EC2 instances"): for a
 * running instance the system and instance checks are `initializing` until
 * instanceStatusCheckMs after it started running, then `ok` — or, for the instance check of an
 * instance whose image's guest fails it (guest.ts: `impaired` or fault `status-check-failed`),
 * `impaired` with the `reachability` detail `failed`; a `never-ready` guest stays `initializing`. Instances that are not running report `not-applicable`
 * and are listed only with IncludeAllInstances.
 */

type SummaryStatus = 'ok' | 'impaired' | 'initializing' | 'not-applicable';

interface StatusView {
  system: SummaryStatus;
  instance: SummaryStatus;
  impairedSince?: number;
}

const instanceStatusAt = (i: InstanceRecord, now: number): StatusView => {
  if (instanceStateAt(i, now) !== 'running') return { system: 'not-applicable', instance: 'not-applicable' };
  const launch = i.launch;
  if (!launch) return { system: 'ok', instance: 'ok' };
  if (now < launch.statusReadyAt || launch.checksStuck)
    return { system: 'initializing', instance: 'initializing' };
  if (launch.impaired) return { system: 'ok', instance: 'impaired', impairedSince: launch.statusReadyAt };
  return { system: 'ok', instance: 'ok' };
};

const DETAIL_STATUS: Record<SummaryStatus, string | undefined> = {
  ok: 'passed',
  impaired: 'failed',
  initializing: 'initializing',
  'not-applicable': undefined,
};

const summaryXml = (status: SummaryStatus, impairedSince?: number): XmlObject => {
  const detail = DETAIL_STATUS[status];
  return {
    status,
    details: detail
      ? [
          {
            name: 'reachability',
            status: detail,
            impairedSince:
              status === 'impaired' && impairedSince !== undefined ? new Date(impairedSince) : undefined,
          },
        ]
      : undefined,
  };
};

export const describeInstanceStatus: Ec2Action = (ctx) => {
  const { params, now } = ctx;
  const ids = params.list('InstanceId');
  const maxResults = maxResultsParam(params, PAGE_RANGES.instances);
  if (ids.length > 0 && maxResults !== undefined)
    throw invalidCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  const includeAll = params.bool('IncludeAllInstances') ?? false;
  const status = (i: InstanceRecord) => instanceStatusAt(i, now);
  const filter = compileFilters<InstanceRecord>(parseFilters(params), {
    'instance-state-name': (i) => instanceStateAt(i, now),
    'availability-zone': (i) => i.availabilityZone,
    'instance-status.status': (i) => status(i).instance,
    'system-status.status': (i) => status(i).system,
    'instance-status.reachability': (i) => DETAIL_STATUS[status(i).instance],
    'system-status.reachability': (i) => DETAIL_STATUS[status(i).system],
  });
  const matches = (i: InstanceRecord) => (includeAll || instanceStateAt(i, now) === 'running') && filter(i);
  const render = (i: InstanceRecord): XmlObject => {
    const view = status(i);
    return {
      instanceId: i.id,
      availabilityZone: i.availabilityZone,
      instanceState: instanceStateXml(instanceStateAt(i, now)),
      instanceStatus: summaryXml(view.instance, view.impairedSince),
      systemStatus: summaryXml(view.system),
    };
  };
  const { items, nextToken } = selectInstances(ctx, ids, matches, maxResults, 'instance-status');
  return { instanceStatusSet: items.map(render), nextToken };
};
