import { StateMachine } from 'aws-local-stepfunctions';
import { TaskFailure } from './errors.ts';

/**
 * Evaluates a payload template (`"key.$": "$.path"`, `$$.` context paths, intrinsic
 * functions) the way the interpreter does for Parameters, by running it as a one-state Pass
 * machine. Used for the fields the local cloud runs itself: ItemSelector, ItemReader and
 * ResultWriter Parameters. `$$.Execution.Input` and `$$.Execution.StartTime` there read
 * the state's input and the real time (the interpreter sets both per run).
 */
export const evaluateTemplate = async (
  template: unknown,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> => {
  const machine = new StateMachine(
    { StartAt: 'Template', States: { Template: { Type: 'Pass', Parameters: template, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  try {
    return await machine.run(input as never, { context }).result;
  } catch (error) {
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    throw new TaskFailure(cause?.name ?? 'States.Runtime', cause?.message ?? String(error));
  }
};
