/**
 * The per-region forwarders of the awaited EC2/EBS events (serverless/events-forwarder.yml),
 * deployed as the README says to deploy them: one stack in every source or copy region that is
 * not the home one. Without them the waiting steps would end on their fallback rounds only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deployTemplate } from '@shipyard/local-cloud';
import { parse } from 'yaml';
import type { BackupPolicy } from '../../shared/config/policies.ts';

const require = createRequire(import.meta.url);
const { forwardedRegions } = require('../../serverless/backup-events.cjs') as {
  forwardedRegions: (policies: readonly BackupPolicy[], homeRegion: string) => string[];
};

const TEMPLATE = new URL('../../serverless/events-forwarder.yml', import.meta.url);

/** Deploys the forwarder into each region the policies need; the regions it went to. */
export async function deployEventForwarders(options: {
  endpoint: string;
  stage: string;
  homeRegion: string;
  policies: readonly BackupPolicy[];
  packageDir: string;
}): Promise<string[]> {
  const template: unknown = parse(readFileSync(TEMPLATE, 'utf8'));
  const regions = forwardedRegions(options.policies, options.homeRegion);
  for (const region of regions) {
    const report = await deployTemplate({
      template,
      packageDir: options.packageDir,
      endpoint: options.endpoint,
      region,
      stage: options.stage,
      stackName: `shipyard-${options.stage}-backup-events`,
      parameters: { HomeRegion: options.homeRegion },
    });
    if (report.blocking.length > 0)
      throw new Error(`the event forwarder in ${region} is blocked by: ${report.blocking.join(', ')}`);
  }
  return regions;
}
