/** How `backup run --wait` and `backup status` print an execution they followed or read. */
import type { Output } from '../output.ts';
import type { ExecutionView } from './follow.ts';
import { executionText } from './render.ts';

export const showExecution = (output: Output, view: ExecutionView): void =>
  output.result(
    { ...view.execution, summary: view.progress.summary, targets: view.progress.targets, maps: view.maps },
    () => executionText(view),
  );
