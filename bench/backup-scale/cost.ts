/**
 * Orchestration cost of one run at list prices (us-east-1, 2026): Step Functions Standard
 * state transitions and Lambda requests + compute. EBS snapshot storage, cross-region data
 * transfer and EC2 API calls (free) are not included: they are the backup itself, the same
 * whatever orchestrates it.
 */
const PRICE_PER_TRANSITION = 0.025 / 1_000;
const PRICE_PER_REQUEST = 0.2 / 1_000_000;
/** x86 Lambda, first pricing tier. */
const PRICE_PER_GB_SECOND = 0.0000166667;
/**
 * Billed duration assumed per invocation on AWS: each handler makes one to three EC2 API
 * calls (~50–150 ms each from Lambda) and the local cloud's in-process times (a few ms)
 * would understate it. [estimate]
 */
export const ESTIMATED_BILLED_MS = 300;

export interface RunCost {
  transitions: number;
  invocations: number;
  memoryMb: number;
  total: number;
}

export function runCost(
  transitions: number,
  invocations: number,
  memoryMb: number,
  billedMs: number,
): RunCost {
  const gbSeconds = invocations * (billedMs / 1000) * (memoryMb / 1024);
  const total =
    transitions * PRICE_PER_TRANSITION + invocations * PRICE_PER_REQUEST + gbSeconds * PRICE_PER_GB_SECOND;
  return { transitions, invocations, memoryMb, total };
}
