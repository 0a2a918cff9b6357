/** The result of one invocation, as Invoke returns it: a JSON payload, maybe an error payload. */
export interface InvocationOutcome {
  requestId: string;
  /** JSON text: the handler's result, or `{errorType, errorMessage, trace}` on error. */
  payload: string;
  functionError?: 'Unhandled';
}
