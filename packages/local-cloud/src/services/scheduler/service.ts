import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import {
  jsonResponse,
  type RestJsonRoute,
  restJsonErrorResponse,
  routeRestJson,
} from '../../protocol/rest-json.ts';
import type { LocalRequest, LocalService } from '../../service.ts';
import { fireDueSchedules, fireSchedule } from './fire.ts';
import * as ops from './operations.ts';
import { scheduleNotFound, schedulerStore } from './store.ts';

const ROUTES: RestJsonRoute<ops.SchedulerCall>[] = [
  ['POST', /^\/schedules\/([^/]+)$/, 'CreateSchedule', ops.createSchedule],
  ['PUT', /^\/schedules\/([^/]+)$/, 'UpdateSchedule', ops.updateSchedule],
  ['GET', /^\/schedules\/([^/]+)$/, 'GetSchedule', ops.getSchedule],
  ['DELETE', /^\/schedules\/([^/]+)$/, 'DeleteSchedule', ops.deleteSchedule],
  ['GET', /^\/schedules\/?$/, 'ListSchedules', ops.listSchedules],
];

const FireInput = z
  .object({ name: z.string(), group: z.string().optional(), region: z.string().optional() })
  .strict();

/** EventBridge Scheduler (REST-JSON), with control routes to fire schedules on demand or by the clock. */
export const schedulerService: LocalService = {
  name: 'scheduler',
  route(req: LocalRequest, cloud: LocalCloud) {
    return routeRestJson(ROUTES, req, (name) => ({ cloud, req, name }));
  },
  renderError: (error, req) => restJsonErrorResponse(error, req.requestId),
  control(cloud, method, subpath, body) {
    if (method === 'POST' && subpath === '/schedules/tick')
      return jsonResponse(200, { fired: fireDueSchedules(cloud) });
    if (method === 'POST' && subpath === '/schedules/fire') {
      const input = FireInput.parse(body);
      const group = input.group ?? 'default';
      const schedule = [...schedulerStore(cloud).schedules.values()].find(
        (s) => s.name === input.name && s.group === group && (!input.region || s.region === input.region),
      );
      if (!schedule) throw scheduleNotFound(input.name);
      return jsonResponse(200, { fired: [fireSchedule(cloud, schedule)] });
    }
    return undefined;
  },
  dump(cloud) {
    const store = schedulerStore(cloud);
    return { schedules: [...store.schedules.values()].map(ops.scheduleView), firings: store.firings };
  },
};
