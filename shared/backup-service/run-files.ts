/**
 * The run's files in the results bucket (adapter: shared/aws/s3-run-files.ts): the target
 * list DiscoverTargets writes for the Distributed Map's ItemReader, the prefix its
 * ResultWriter writes the child executions' results under, and the full run summary.
 * The parent execution's state carries only these locations, never the fleet.
 */
import type { Target } from './state.ts';

export interface ObjectLocation {
  bucket: string;
  key: string;
}

/** The port. */
export interface RunFiles {
  /** Writes `body` as JSON at `key` of the results bucket (overwriting: every key is the run's own). */
  putJson(key: string, body: unknown): Promise<ObjectLocation>;
  /** The JSON at a location; RunFileUnreadable when it is missing or not JSON. */
  getJson(location: ObjectLocation): Promise<unknown>;
  /** The results bucket's name. */
  bucket(): string;
}

const runPath = (policy: string, runId: string) => `${policy}/${runId}`;

/** Keys of one run (the bucket's lifecycle rule expires them; run records live elsewhere, kept). */
export const runFileKeys = {
  items: (policy: string, runId: string) => `items/${runPath(policy, runId)}.json`,
  results: (policy: string, runId: string) => `results/${runPath(policy, runId)}`,
  summary: (policy: string, runId: string) => `summaries/${runPath(policy, runId)}.json`,
};

/** Where the Distributed Map reads its items and writes its results (DiscoverTargets' output). */
export interface MapFiles {
  bucket: string;
  itemsKey: string;
  resultsPrefix: string;
}

/** Writes the target list (the Map's items: one target each) and says where the results go. */
export async function writeMapItems(
  files: RunFiles,
  run: { policy: string; runId: string },
  targets: readonly Target[],
): Promise<MapFiles> {
  const items = await files.putJson(runFileKeys.items(run.policy, run.runId), targets);
  return {
    bucket: items.bucket,
    itemsKey: items.key,
    resultsPrefix: runFileKeys.results(run.policy, run.runId),
  };
}
