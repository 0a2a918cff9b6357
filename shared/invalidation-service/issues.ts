import type * as z from 'zod';

/** `field.path[0]: message` for every zod issue, so an error names exactly what is wrong. */
export const formatIssues = (error: z.ZodError, root = ''): string[] =>
  error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (out, key) =>
        typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
      root,
    );
    return `${path || '(event)'}: ${issue.message}`;
  });
