/**
 * Every AWS operation an adapter in shared/aws can send has an authorisation in the local
 * cloud's IAM mode, so `SHIPYARD_LOCAL_IAM=enforce` evaluates each call a deployed function
 * makes instead of answering 501 LocalIamUnmappedOperation. The SDK client of each import names
 * the local service (its signing name: EC2 `ec2`, CloudWatch `monitoring`, ELBv2
 * `elasticloadbalancing`, Step Functions `states`, EventBridge `events`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mappedOperations } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';

const ADAPTERS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'aws');

/** SDK client package → the local cloud's service name. */
const SERVICE_OF_CLIENT: Record<string, string> = {
  'client-ec2': 'ec2',
  'client-s3': 's3',
  'client-cloudfront': 'cloudfront',
  'client-sfn': 'states',
  'client-sqs': 'sqs',
  'client-kms': 'kms',
  'client-ssm': 'ssm',
  'client-codepipeline': 'codepipeline',
  'client-eventbridge': 'events',
  'client-cloudwatch': 'monitoring',
  'client-global-accelerator': 'globalaccelerator',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
};
/** Clients whose calls the local cloud has no service for (the functions read them through Powertools). */
const NO_LOCAL_SERVICE = new Set(['client-secrets-manager']);

/** `service:Operation` for every `…Command` an adapter imports from an SDK client. */
const adapterOperations = (): string[] => {
  const found = new Set<string>();
  for (const file of readdirSync(ADAPTERS).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(ADAPTERS, file), 'utf8');
    for (const [, names = '', client = ''] of text.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g,
    )) {
      if (NO_LOCAL_SERVICE.has(client)) continue;
      const service = SERVICE_OF_CLIENT[client];
      if (!service) throw new Error(`${file}: no local service known for @aws-sdk/${client}`);
      for (const [, operation] of names.matchAll(/(?<!type\s)\b([A-Z][A-Za-z0-9]*)Command\b/g))
        found.add(`${service}:${operation}`);
    }
  }
  return [...found].sort();
};

describe("the local IAM mode's operation map", () => {
  it('authorises every operation the adapters send', () => {
    const operations = adapterOperations();
    expect(operations).toContain('ec2:RunInstances');
    expect(operations).toContain('states:SendTaskSuccess');
    const unmapped = operations.filter((op) => {
      const [service = '', operation = ''] = op.split(':');
      return !mappedOperations(service).includes(operation);
    });
    expect(unmapped).toEqual([]);
  });
});
