import * as z from 'zod';
import { AwsError } from './aws-error.ts';
import type { LocalCloud } from './cloud.ts';
import { DurationsSchema } from './durations.ts';
import { FaultRuleSchema } from './faults.ts';
import { dumpIam, iamControl } from './iam/control.ts';
import { pumpEventSources } from './pump.ts';
import type { LocalResponse } from './service.ts';
import { SERVICES, serviceByName } from './services/index.ts';

/** Control API of the local cloud: reset, seed, clock, faults, counters, state. Not an AWS API. */
export const CONTROL_PREFIX = '/_shipyard/';

const AdvanceSchema = z
  .object({
    ms: z.number().min(0).optional(),
    minutes: z.number().min(0).optional(),
    to: z.string().optional(),
  })
  .strict()
  .refine((v) => [v.ms, v.minutes, v.to].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of ms, minutes or to (ISO time)',
  });
const SpeedSchema = z.object({ speed: z.number().min(0) }).strict();
const FaultsSchema = z.object({ rules: z.array(FaultRuleSchema) }).strict();
const SeedSchema = z.record(z.string(), z.unknown());

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

const parse = <T>(schema: z.ZodType<T>, body: Buffer): T => {
  let raw: unknown = {};
  if (body.length > 0) {
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ControlError(400, 'body is not valid JSON');
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ControlError(
      400,
      result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
};

const clockView = (cloud: LocalCloud) => ({
  now: cloud.now(),
  iso: new Date(cloud.now()).toISOString(),
  speed: cloud.clock.speed,
});

export const handleControl = async (
  cloud: LocalCloud,
  method: string,
  url: URL,
  body: Buffer,
): Promise<LocalResponse> => {
  const route = `${method} ${url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
  try {
    switch (route) {
      case 'GET /health':
        return json(200, { ok: true, services: SERVICES.map((s) => s.name) });
      case 'POST /reset':
        cloud.reset();
        return json(200, { ok: true });
      case 'POST /seed': {
        const input = parse(SeedSchema, body);
        const created: Record<string, unknown> = {};
        for (const [name, section] of Object.entries(input)) {
          const service = serviceByName.get(name);
          if (!service?.seed) throw new ControlError(400, `seed: no seedable service named ${name}`);
          created[name] = service.seed(cloud, section);
        }
        return json(200, created);
      }
      case 'GET /clock':
        return json(200, clockView(cloud));
      case 'POST /clock/advance': {
        const input = parse(AdvanceSchema, body);
        if (input.ms !== undefined) cloud.clock.advance(input.ms);
        else if (input.minutes !== undefined) cloud.clock.advance(input.minutes * 60_000);
        else if (input.to !== undefined) {
          const target = Date.parse(input.to);
          if (Number.isNaN(target)) throw new ControlError(400, `to: not an ISO time: ${input.to}`);
          if (target < cloud.now()) throw new ControlError(400, 'to: the clock never goes backwards');
          cloud.clock.set(target);
        }
        return json(200, clockView(cloud));
      }
      case 'POST /clock/speed':
        cloud.clock.setSpeed(parse(SpeedSchema, body).speed);
        return json(200, clockView(cloud));
      case 'GET /durations':
        return json(200, cloud.durations);
      case 'POST /durations':
        return json(200, cloud.setDurations(parse(DurationsSchema.partial(), body)));
      case 'GET /faults':
        return json(200, { rules: cloud.faults.list(), injected: cloud.faults.injected });
      case 'POST /faults':
        cloud.faults.add(parse(FaultsSchema, body).rules);
        return json(200, { rules: cloud.faults.list() });
      case 'DELETE /faults':
        cloud.faults.clear();
        return json(200, { rules: [] });
      case 'GET /counters':
        return json(200, { ...cloud.counters.snapshot(), faultsInjected: cloud.faults.injected });
      case 'POST /pump':
        return json(200, await pumpEventSources(cloud));
      case 'GET /state': {
        const state: Record<string, unknown> = { clock: clockView(cloud), iam: dumpIam(cloud) };
        for (const service of SERVICES) if (service.dump) state[service.name] = service.dump(cloud);
        return json(200, state);
      }
      default: {
        const subpath = url.pathname.slice(CONTROL_PREFIX.length - 1);
        const input = parse(z.unknown(), body);
        const iam = iamControl(cloud, method, subpath, input);
        if (iam) return iam;
        for (const service of SERVICES) {
          const response = await service.control?.(cloud, method, subpath, input, url.searchParams);
          if (response) return response;
        }
        return json(404, { message: `no control route ${route}` });
      }
    }
  } catch (error) {
    if (error instanceof ControlError) return json(error.status, { message: error.message });
    if (error instanceof z.ZodError) {
      return json(400, { message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    if (error instanceof RangeError) return json(400, { message: error.message });
    if (error instanceof AwsError) return json(error.status, { code: error.code, message: error.message });
    throw error;
  }
};
