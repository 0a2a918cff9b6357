/**
 * The backup state machine as the tests see it: the REAL `statemachines/backup.asl.yaml`,
 * walked to find every Task (and the handler its `${functionKey}` placeholder names) and
 * every Wait (and the path its seconds come from).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const BACKUP_ASL_PATH = fileURLToPath(new URL('../../statemachines/backup.asl.yaml', import.meta.url));

export type AslState = Record<string, unknown> & { Type: string };
export type AslDefinition = { StartAt: string; States: Record<string, AslState> } & Record<string, unknown>;

export function loadBackupDefinition(): AslDefinition {
  return parse(readFileSync(BACKUP_ASL_PATH, 'utf8')) as AslDefinition;
}

/** Every state, nested Map processors included, by name (names are unique across the file). */
export function allStates(definition: { States: Record<string, AslState> }): Map<string, AslState> {
  const out = new Map<string, AslState>();
  const walk = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      if (out.has(name)) throw new Error(`state name ${name} is used twice`);
      out.set(name, state);
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States: Record<string, AslState> }
        | undefined;
      if (processor) walk(processor.States);
    }
  };
  walk(definition.States);
  return out;
}

const PLACEHOLDER = /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/;

/** Task state name → function key (`backupCreateSnapshots`). */
export function taskFunctionKeys(definition: AslDefinition): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    // A `lambda:invoke.waitForTaskToken` Task names its function in Parameters.FunctionName.
    const parameters = state.Parameters as { FunctionName?: unknown } | undefined;
    const match =
      PLACEHOLDER.exec(String(state.Resource)) ??
      (isWaitForToken(state) ? PLACEHOLDER.exec(String(parameters?.FunctionName)) : null);
    if (!match?.[1])
      throw new Error(
        `Task ${name}: Resource ${String(state.Resource)} is not a \${functionKey} placeholder`,
      );
    out.set(name, match[1]);
  }
  return out;
}

/** A Task that waits for its task token (`arn:aws:states:::lambda:invoke.waitForTaskToken`). */
export const isWaitForToken = (state: AslState): boolean =>
  state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken');

/**
 * The longest a waiting Task goes without a word when no event comes: its HeartbeatSeconds
 * when it has one (a queued copy lives on heartbeats), else its TimeoutSeconds (one round).
 */
export const fallbackRoundSeconds = (state: AslState): number =>
  Math.min(
    Number(state.TimeoutSeconds ?? Number.POSITIVE_INFINITY),
    Number(state.HeartbeatSeconds ?? Number.POSITIVE_INFINITY),
  );

/** The error a waiting Task's fallback round ends with (the one its Retry runs the step again on). */
export const fallbackRoundError = (state: AslState): string =>
  state.HeartbeatSeconds === undefined ? 'States.Timeout' : 'States.HeartbeatTimeout';

/** `backupCreateSnapshots` → `functions/backup-create-snapshots/handler.ts` (the serverless.yml convention). */
export const handlerPathOf = (functionKey: string): string =>
  `functions/${functionKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}/handler.ts`;

/** Task state name → the SecondsPath of the Wait state that precedes it. */
export function waitPathsBeforeTasks(definition: AslDefinition): Map<string, string> {
  const out = new Map<string, string>();
  for (const state of allStates(definition).values()) {
    if (state.Type === 'Wait' && typeof state.SecondsPath === 'string' && typeof state.Next === 'string') {
      out.set(state.Next, state.SecondsPath);
    }
  }
  return out;
}

/** Reads a plain `$.a.b.c` path. */
export function readPath(input: unknown, path: string): unknown {
  let value: unknown = input;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** Every name listed in any ErrorEquals. */
export function errorEqualsNames(definition: AslDefinition): Set<string> {
  const names = new Set<string>();
  for (const state of allStates(definition).values()) {
    for (const field of ['Retry', 'Catch'] as const) {
      for (const rule of (state[field] as { ErrorEquals: string[] }[] | undefined) ?? []) {
        for (const name of rule.ErrorEquals) names.add(name);
      }
    }
  }
  return names;
}

/** The results bucket of the tests (the stack's is BackupResultsBucket). */
export const RESULTS_BUCKET = 'shipyard-test-backup-results';

/** `${backupResultsBucket}` → the results bucket's name (Ref: BackupResultsBucket at deploy time). */
export function withResultsBucket(definition: AslDefinition, resultsBucket = RESULTS_BUCKET): AslDefinition {
  const text = JSON.stringify(definition)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the ASL's placeholder, not a template
    .replaceAll('"${backupResultsBucket}"', JSON.stringify(resultsBucket));
  return JSON.parse(text) as AslDefinition;
}

/**
 * `${functionKey}` → a Lambda ARN, as DefinitionSubstitutions / Fn::GetAtt produce at deploy
 * time, and `${backupResultsBucket}` → the results bucket's name.
 */
export function withDeployedArns(definition: AslDefinition, resultsBucket = RESULTS_BUCKET): AslDefinition {
  const text = JSON.stringify(withResultsBucket(definition, resultsBucket)).replace(
    /"\$\{([A-Za-z][A-Za-z0-9]*)\}"/g,
    (_m, key: string) => `"arn:aws:lambda:eu-west-1:123456789012:function:shipyard-dev-${key}"`,
  );
  return JSON.parse(text) as AslDefinition;
}
