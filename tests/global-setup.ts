/**
 * Packages the service once, before any test file runs: the template tests, the bundle checks,
 * the local deploy and `npm start` then share the cached artifact (keyed by a hash of every
 * input, so it is never stale) instead of each running the framework under a hook's clock.
 */
import { packageServiceCached } from '../scripts/package-service.ts';

export default async function setup(): Promise<void> {
  await packageServiceCached('dev');
}
