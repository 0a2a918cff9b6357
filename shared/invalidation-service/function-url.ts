import * as z from 'zod';

/** The parts of a Lambda Function URL event the webhook reads. Header names arrive lower-cased. */
export const FunctionUrlEventSchema = z.object({
  headers: z.record(z.string(), z.string().optional()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string() }) }).optional(),
});
export type FunctionUrlEvent = z.infer<typeof FunctionUrlEventSchema>;

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const jsonResponse = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The exact bytes the sender signed: Function URLs base64-encode bodies they do not treat as text. */
export const rawBody = (event: FunctionUrlEvent): Buffer =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');

export const header = (event: FunctionUrlEvent, name: string): string | undefined =>
  event.headers[name.toLowerCase()];
