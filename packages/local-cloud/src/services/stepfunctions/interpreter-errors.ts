import { StateMachine } from 'aws-local-stepfunctions';

let timeoutPrototype: Promise<object> | undefined;

/**
 * The interpreter's own States.Timeout class, which it alone exempts from the
 * `States.TaskFailed` wildcard (concepts-error-handling: States.TaskFailed "matches any
 * known error name except for States.Timeout"). The package does not export the class, so
 * one instance is obtained once from a Task with a 1 ms timeout.
 */
const interpreterTimeoutPrototype = (): Promise<object> => {
  timeoutPrototype ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: {
          Probe: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:123456789012:function:probe',
            TimeoutSeconds: 0.001,
            End: true,
          },
        },
      } as never,
      { validationOptions: { noValidate: true } },
    );
    const started = probe.run(
      {},
      { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => {}) } } },
    );
    const failure = (await started.result.then(
      () => undefined,
      (error: unknown) => error,
    )) as { cause?: unknown } | undefined;
    return Object.getPrototypeOf(failure?.cause ?? new Error('probe')) as object;
  })();
  return timeoutPrototype;
};

/** A States.Timeout the interpreter's Retry and Catch treat as their own timeouts. */
export const statesTimeout = async (message: string): Promise<Error> => {
  const error = Object.create(await interpreterTimeoutPrototype()) as Error;
  Object.defineProperty(error, 'name', { value: 'States.Timeout', enumerable: false, writable: true });
  Object.defineProperty(error, 'message', { value: message, enumerable: false, writable: true });
  return error;
};
