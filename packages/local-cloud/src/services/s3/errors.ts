import { AwsError } from '../../aws-error.ts';

/** An S3 error with the extra elements S3 adds to `<Error>` (BucketName, Key). */
export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly details: Record<string, string> = {},
  ) {
    super(code, message, status);
    this.name = 'S3Error';
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });

export const noSuchKey = (key: string) =>
  new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(
    'InvalidArgument',
    message,
    400,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
  );

export const malformedXml = () =>
  new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
