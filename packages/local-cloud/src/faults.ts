import * as z from 'zod';
import { AwsError } from './aws-error.ts';

export const FaultRuleSchema = z
  .object({
    service: z
      .string()
      .min(1)
      .describe('service name as routed: ec2, cloudfront, s3, ssm, codepipeline, events, ...'),
    action: z
      .string()
      .min(1)
      .optional()
      .describe('operation name, e.g. CreateSnapshot; all actions when absent'),
    region: z.string().min(1).optional(),
    code: z.string().min(1).optional().describe('error code to answer with; latency only when absent'),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    probability: z.number().min(0).max(1).optional(),
    firstN: z.number().int().min(1).optional().describe('fail only the first N matching calls'),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();
export type FaultRule = z.infer<typeof FaultRuleSchema>;

interface ActiveRule {
  rule: FaultRule;
  matched: number;
}

/** Default HTTP status per well-known error code, as AWS sends them. */
const STATUS_BY_CODE: Record<string, number> = {
  RequestLimitExceeded: 503,
  Throttling: 400,
  ThrottlingException: 400,
  ServiceUnavailable: 503,
  InternalError: 500,
  InternalFailure: 500,
  SlowDown: 503,
};

export interface FaultDecision {
  error?: AwsError;
  latencyMs: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  injected = 0;

  constructor(private readonly random: () => number) {}

  add(rules: FaultRule[]): void {
    for (const rule of rules) this.rules.push({ rule: FaultRuleSchema.parse(rule), matched: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  decide(service: string, action: string, region: string): FaultDecision {
    let latencyMs = 0;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.service !== service) continue;
      if (rule.action && rule.action !== action) continue;
      if (rule.region && rule.region !== region) continue;
      active.matched += 1;
      if (rule.firstN !== undefined && active.matched > rule.firstN) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      latencyMs += rule.latencyMs ?? 0;
      if (rule.code) {
        this.injected += 1;
        const status = rule.status ?? STATUS_BY_CODE[rule.code] ?? 400;
        return {
          latencyMs,
          error: new AwsError(rule.code, rule.message ?? `Injected fault: ${rule.code}`, status),
        };
      }
    }
    return { latencyMs };
  }
}
