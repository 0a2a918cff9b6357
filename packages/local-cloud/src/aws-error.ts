/**
 * An error the local cloud answers with, rendered in the wire format of the service
 * that raised it (EC2 query XML, REST-XML, JSON). `status` is the HTTP status AWS uses.
 */
export class AwsError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
    /** REST-XML `Type`: Sender for client errors, Receiver for server errors. */
    public readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export const missingParameter = (name: string): AwsError =>
  new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
