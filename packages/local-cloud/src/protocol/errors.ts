import type { AwsError } from '../aws-error.ts';
import type { LocalResponse } from '../service.ts';
import { escapeXml } from './xml.ts';

/** EC2 query protocol: `<Response><Errors><Error>…` */
export const ec2ErrorResponse = (error: AwsError, requestId: string): LocalResponse => ({
  status: error.status,
  headers: { 'content-type': 'text/xml;charset=UTF-8' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
});

/** REST-XML with the `<ErrorResponse><Error><Type>` envelope (CloudFront). */
export const restXmlErrorResponse = (error: AwsError, requestId: string, xmlns: string): LocalResponse => ({
  status: error.status,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
});

/** S3's bare `<Error>` document. */
export const s3ErrorResponse = (error: AwsError, requestId: string, extra = ''): LocalResponse => ({
  status: error.status,
  headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
});

/** awsJson 1.0/1.1: `{"__type": code, "message": …}`. */
export const jsonErrorResponse = (error: AwsError, requestId: string): LocalResponse => ({
  status: error.status,
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  },
  body: JSON.stringify({ __type: error.code, message: error.message, Message: error.message }),
});
