import * as z from 'zod';

/**
 * An identity policy document as IAM reads it (IAM User Guide, "IAM JSON policy element
 * reference"): `Statement` is one statement or a list; `Action`/`NotAction`,
 * `Resource`/`NotResource` and each condition value are a string or a list of strings.
 */
const Strings = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const ConditionValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
  .transform((v) => (Array.isArray(v) ? v : [v]).map(String));

const StatementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: Strings.optional(),
    NotAction: Strings.optional(),
    Resource: Strings.optional(),
    NotResource: Strings.optional(),
    Condition: z.record(z.string(), z.record(z.string(), ConditionValue)).optional(),
  })
  .strict()
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
    message: 'a statement has exactly one of Action and NotAction',
  })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), {
    message: 'an identity policy statement has exactly one of Resource and NotResource',
  });

const PolicyDocumentSchema = z
  .object({
    Version: z.string().optional(),
    Id: z.string().optional(),
    Statement: z.union([StatementSchema, z.array(StatementSchema)]),
  })
  .strict()
  .transform((doc) => ({ statements: Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement] }));

export type Statement = z.infer<typeof StatementSchema>;
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

/** A document as the template holds it; throws a ZodError naming the bad field. */
export const parsePolicyDocument = (input: unknown): PolicyDocument => PolicyDocumentSchema.parse(input);
