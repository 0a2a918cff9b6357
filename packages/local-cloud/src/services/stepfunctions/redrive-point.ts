import type { ExecutionRecord } from './store.ts';

/** The top-level state the execution was in when it ended, and that state's input. */
export const redrivePoint = (execution: ExecutionRecord) => {
  const states =
    (JSON.parse(execution.definition ?? '{}') as { States?: Record<string, unknown> }).States ?? {};
  for (let i = execution.history.length - 1; i >= 0; i -= 1) {
    const event = execution.history[i]!;
    const name = event.details?.name;
    if (!event.type.endsWith('StateEntered') || typeof name !== 'string' || !(name in states)) continue;
    return { startAt: name, input: JSON.parse(String(event.details?.input ?? '{}')) as unknown };
  }
  return undefined;
};
