/**
 * What a rule target receives: the whole event, a constant `Input`, the part `InputPath`
 * selects, or an `InputTransformer` result (InputPathsMap values substituted into
 * InputTemplate, as EventBridge does: inside a JSON string a value is inserted as text,
 * outside it as JSON; a path that is absent gives an empty string inside quotes and null
 * outside).
 */
export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

class InputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputPathError';
  }
}

/** `$`, `$.a.b`, `$.a[0].b` and `$['a-b']`: the JSONPath subset targets use. */
const selectPath = (value: unknown, path: string): unknown => {
  if (!path.startsWith('$')) throw new InputPathError(`not a JSONPath: ${path}`);
  const segments = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map(
    (m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]),
  );
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment as string | number];
  }
  return current;
};

const insideString = (template: string, at: number): boolean => {
  let quoted = false;
  for (let i = 0; i < at; i++) {
    const c = template[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
  }
  return quoted;
};

const transform = (event: unknown, spec: NonNullable<TargetInput['InputTransformer']>): string => {
  const values = Object.fromEntries(
    Object.entries(spec.InputPathsMap ?? {}).map(([name, path]) => [name, selectPath(event, path)]),
  );
  return spec.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (token, name: string, offset: number) => {
    if (name === 'aws.events.event.json') return JSON.stringify(event);
    if (!(name in values)) return token;
    const value = values[name];
    if (insideString(spec.InputTemplate, offset)) {
      if (value === undefined || value === null) return '';
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return JSON.stringify(text).slice(1, -1);
    }
    return value === undefined ? 'null' : JSON.stringify(value);
  });
};

/** The payload text for a target. */
export const targetPayload = (event: unknown, target: TargetInput): string => {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(selectPath(event, target.InputPath) ?? null);
  if (target.InputTransformer) return transform(event, target.InputTransformer);
  return JSON.stringify(event);
};
