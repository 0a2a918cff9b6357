/**
 * The rehearsal's view of the edge after the releases: the completion watch run to the end on the
 * simulated clock (`Invalidation Completed` per distribution), and each deploy's budget lines as
 * the invalidation functions logged them (the ledger bucket is part of the deployed stack).
 */
import type { ControlClient } from '@shipyard/local-cloud';
import {
  FRESHNESS_CHECK_SECONDS,
  INVALIDATION_COMPLETED,
} from '../../shared/invalidation-service/freshness.ts';

/** A bound on simulated time, not on real time: invalidations take minutes, the watch gives up in an hour. */
const MAX_CHECKS = 120;

export interface FreshEdge {
  site: string;
  distributionId: string;
  deployId: string;
  secondsToFresh: number;
}

export interface DeployBudget {
  site: string;
  deployId: string;
  month: string;
  pathsThisDeploy: number;
  monthToDatePaths: number | null;
  freeTierLeft: number | null;
  dollars: number | null;
}

interface EventsState {
  events: {
    regions: Record<string, { source: string; detailType: string; detail: Record<string, unknown> }[]>;
  };
}

const completedEvents = async (control: ControlClient): Promise<FreshEdge[]> =>
  Object.values((await control.state<EventsState>()).events.regions)
    .flat()
    .filter((e) => e.source === 'shipyard' && e.detailType === INVALIDATION_COMPLETED)
    .map((e) => ({
      site: String(e.detail.site),
      distributionId: String(e.detail.distributionId),
      deployId: String(e.detail.deployId),
      secondsToFresh: Number(e.detail.secondsToFresh),
    }));

/** Advances the clock one check at a time and delivers the watch queue until every distribution is fresh. */
export const followFreshness = async (
  control: ControlClient,
  distributions: number,
): Promise<FreshEdge[]> => {
  for (let check = 0; check < MAX_CHECKS; check += 1) {
    const fresh = await completedEvents(control);
    if (new Set(fresh.map((f) => f.distributionId)).size >= distributions) return fresh;
    await control.advance({ ms: FRESHNESS_CHECK_SECONDS * 1000 });
    await control.pump();
  }
  return completedEvents(control);
};

/** The `budget` of every `invalidation summary` line the functions logged (Powertools JSON lines). */
export const deployBudgets = (logs: Record<string, string[]>): DeployBudget[] => {
  const out: DeployBudget[] = [];
  for (const line of Object.values(logs).flat()) {
    let entry: {
      message?: string;
      summary?: { site: string; deployId: string; budget?: Omit<DeployBudget, 'site' | 'deployId'> };
    };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const budget = entry.message === 'invalidation summary' ? entry.summary?.budget : undefined;
    if (entry.summary && budget)
      out.push({
        site: entry.summary.site,
        deployId: entry.summary.deployId,
        month: budget.month,
        pathsThisDeploy: budget.pathsThisDeploy,
        monthToDatePaths: budget.monthToDatePaths,
        freeTierLeft: budget.freeTierLeft,
        dollars: budget.dollars,
      });
  }
  return out;
};
