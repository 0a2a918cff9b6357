import { AwsError } from '../aws-error.ts';

/**
 * How each service answers a request IAM denies. EC2: `UnauthorizedOperation`, HTTP 403 (STS
 * API Reference, DecodeAuthorizationMessage: "the request returns a Client.UnauthorizedOperation
 * response (an HTTP 403 response)"); S3 and CloudFront: `AccessDenied`, 403 (S3 API Reference,
 * "Error responses"; CloudFront API Reference, "Common Errors"); the awsJson services:
 * `AccessDeniedException`, 400 (the "Common Errors" page of their API references).
 */
interface DenialShape {
  code: string;
  status: number;
}

const JSON_DENIAL: DenialShape = { code: 'AccessDeniedException', status: 400 };

/** SQS's awsJson answer to a denied call; its API reference lists no access error of its own [unconfirmed]. */
const SQS_DENIAL_UNCONFIRMED: DenialShape = JSON_DENIAL;

const DENIALS: Record<string, DenialShape> = {
  ec2: { code: 'UnauthorizedOperation', status: 403 },
  s3: { code: 'AccessDenied', status: 403 },
  cloudfront: { code: 'AccessDenied', status: 403 },
  sqs: SQS_DENIAL_UNCONFIRMED,
};

export interface DeniedCall {
  service: string;
  principalArn: string;
  action: string;
  resource: string;
  explicit: boolean;
}

/**
 * The denial message IAM writes (IAM User Guide, "Access denied error messages"): "User:
 * <principal> is not authorized to perform: <action> on resource: <resource> because no
 * identity-based policy allows the <action> action" (or "with an explicit deny in an
 * identity-based policy"). EC2 puts "You are not authorized to perform this operation." before
 * it and an encoded message after it [unconfirmed: EC2_MESSAGE_LAYOUT].
 */
const EC2_MESSAGE_LAYOUT =
  'You are not authorized to perform this operation. {iam} Encoded authorization failure message: {encoded}';

const deniedMessage = (call: DeniedCall): string => {
  const why = call.explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${call.action} action`;
  return `User: ${call.principalArn} is not authorized to perform: ${call.action} on resource: ${call.resource} ${why}`;
};

export const denialError = (call: DeniedCall): AwsError => {
  const shape = DENIALS[call.service] ?? JSON_DENIAL;
  const iam = deniedMessage(call);
  const message =
    call.service === 'ec2'
      ? EC2_MESSAGE_LAYOUT.replace('{iam}', iam).replace(
          '{encoded}',
          Buffer.from(JSON.stringify({ action: call.action, resource: call.resource })).toString('base64url'),
        )
      : iam;
  return new AwsError(shape.code, message, shape.status);
};

/**
 * An operation a role session called that IAM mode has no authorisation for: answered 501 so
 * the call fails loudly (never silently allowed) and the SDK does not retry it.
 */
export const unmappedError = (service: string, operation: string): AwsError =>
  new AwsError(
    'LocalIamUnmappedOperation',
    `The local cloud's IAM mode does not know how AWS authorises ${service}:${operation}; add its mapping in packages/local-cloud/src/iam/requests/`,
    501,
  );
