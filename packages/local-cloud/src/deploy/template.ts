import * as z from 'zod';

/**
 * The subset of a CloudFormation template the local deploy reads. Unknown top-level
 * sections (Description, Metadata, Mappings…) are accepted and ignored; a resource needs
 * a Type.
 */
const ResourceSchema = z
  .object({
    Type: z.string().min(1),
    Properties: z.record(z.string(), z.unknown()).optional(),
    DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
    Condition: z.string().optional(),
  })
  .loose();

const ParameterSchema = z.object({ Type: z.string().optional(), Default: z.unknown().optional() }).loose();

const TemplateSchema = z
  .object({
    Resources: z.record(z.string(), ResourceSchema),
    Parameters: z.record(z.string(), ParameterSchema).optional(),
    Conditions: z.record(z.string(), z.unknown()).optional(),
    Outputs: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type Template = z.infer<typeof TemplateSchema>;

/** A template that does not have the shape above. */
export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

export const parseTemplate = (input: unknown): Template => {
  const parsed = TemplateSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new TemplateError(
    `not a CloudFormation template: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  );
};
