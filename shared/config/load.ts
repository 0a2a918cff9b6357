import { type Document, isAlias, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type * as z from 'zod';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { type ShipyardConfig, ShipyardConfigSchema } from './schema.ts';

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );

/**
 * Parses and validates a config file's text (YAML or JSON) and reports every problem with
 * its path and line. Pure: the caller reads the file.
 *
 * @example
 * const config = parseConfig(readFileSync('config/shipyard.dev.yml', 'utf8'), 'config/shipyard.dev.yml');
 */
export const parseConfig = (text: string, source = 'config'): ShipyardConfig => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: '',
          message: e.message.split('\n')[0] ?? e.message,
          line: pos?.line,
          column: pos?.col,
        };
      }),
    );
  }
  const result = ShipyardConfigSchema.safeParse(plainValue(doc, lineCounter, source) ?? {});
  if (result.success) return result.data;
  throw new ConfigError(source, problemsFrom(result.error, doc, lineCounter));
};

/**
 * The most alias expansions a file may make (the `yaml` package's own default for toJS): far
 * more than a hand-written config uses, far less than a "billion laughs" document expands to.
 */
const MAX_YAML_ALIAS_COUNT = 100;

/** The document as plain data; an alias bomb is a config problem at the first alias, not a crash. */
const plainValue = (doc: Document, lineCounter: LineCounter, source: string): unknown => {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let first: { line: number; col: number } | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.range) first = lineCounter.linePos(node.range[0]);
        return visit.BREAK;
      },
    });
    throw new ConfigError(source, [
      {
        path: '',
        message: `YAML aliases expand to too many nodes (${error.message}): expected plain values, or anchors reused at most ${MAX_YAML_ALIAS_COUNT} times`,
        line: first?.line,
        column: first?.col,
      },
    ]);
  }
};

/** 1-based line and column of the deepest node of `path` that exists in the document. */
export const locate = (
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): { line: number; col: number } | undefined => {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return undefined;
};

/** Parses the text for line lookups only (no validation). */
export const documentOf = (text: string): { doc: Document; lineCounter: LineCounter } => {
  const lineCounter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter }), lineCounter };
};

const problemsFrom = (
  error: z.ZodError,
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
): ConfigProblem[] =>
  error.issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    // Point at the unknown key itself when there is one, else at the deepest node that exists.
    const lookup = unknownKeys.length > 0 ? [...path, unknownKeys[0] as string] : path;
    let located: { line: number; col: number } | undefined;
    for (let depth = lookup.length; depth >= 0 && !located; depth -= 1) {
      const node = doc.getIn(lookup.slice(0, depth), true);
      if (isNode(node) && node.range) located = lineCounter.linePos(node.range[0]);
      else if (depth === lookup.length && unknownKeys.length > 0) {
        const parent = doc.getIn(path, true);
        if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
          const pair = parent.items.find(
            (p: { key?: { value?: unknown } }) => p.key?.value === unknownKeys[0],
          );
          if (isNode(pair?.key) && pair.key.range) located = lineCounter.linePos(pair.key.range[0]);
        }
      }
    }
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
    const message = missing ? `required (expected ${missing[1]})` : issue.message;
    return { path: formatPath(path), message, line: located?.line, column: located?.col };
  });
