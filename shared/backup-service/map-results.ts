/**
 * Reads what the Distributed Map's ResultWriter exported (Step Functions Developer Guide,
 * "ResultWriter (Map)"): the Map state's output names a `manifest.json`
 * (`ResultWriterDetails: { Bucket, Key }`); the manifest lists the result files per status
 * (`ResultFiles: { SUCCEEDED, FAILED, PENDING: [{ Key, Size }] }`); each file is a JSON array
 * of child executions (`Name`, `Status`, `Input`, `Output` as JSON text, `Error`/`Cause` for
 * a failed one). A child that succeeded outputs its target's backup state; a failed target
 * fails its child with that state as the Cause (the ASL's TargetFailed); a child that failed
 * otherwise (timed out, aborted, a Step Functions error) is a failed target with that error.
 * Anything missing or malformed is RunFileUnreadable, naming the file and the field.
 */
import * as z from 'zod';
import { RunFileUnreadable } from '../backup/errors.ts';
import type { ObjectLocation, RunFiles } from './run-files.ts';
import { type BackupState, backupStateSchema, targetSchema } from './state.ts';
import { parseTaskInput } from './task-input.ts';

/** The Distributed Map's output with a ResultWriter. */
export const mapRunOutputSchema = z
  .object({
    MapRunArn: z.string().min(1),
    ResultWriterDetails: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }).strict(),
  })
  .strict();
export type MapRunOutput = z.infer<typeof mapRunOutputSchema>;

const resultFileSchema = z.object({ Key: z.string().min(1), Size: z.number().optional() }).passthrough();
const manifestSchema = z
  .object({
    DestinationBucket: z.string().min(1),
    MapRunArn: z.string().min(1),
    ResultFiles: z
      .object({
        SUCCEEDED: z.array(resultFileSchema).default([]),
        FAILED: z.array(resultFileSchema).default([]),
        PENDING: z.array(resultFileSchema).default([]),
      })
      .passthrough(),
  })
  .passthrough();

const childSchema = z
  .object({
    Name: z.string().optional(),
    Status: z.string().min(1),
    Input: z.string(),
    Output: z.string().optional(),
    Error: z.string().optional(),
    Cause: z.string().optional(),
  })
  .passthrough();
type Child = z.infer<typeof childSchema>;

const address = (l: ObjectLocation) => `s3://${l.bucket}/${l.key}`;

function parsed<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> {
  try {
    return parseTaskInput(what, schema, value);
  } catch (error) {
    throw new RunFileUnreadable((error as Error).message.replace(': invalid input:', ':'), { cause: error });
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const json = (where: string, text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RunFileUnreadable(`${where}: not JSON`);
  }
};

/** A child's outcome: its output when it succeeded, else a failed target with the child's error. */
function outcomeOf(where: string, child: Child): BackupState {
  const input = parsed(
    `${where}: Input`,
    z.object({ backup: z.object({ target: targetSchema }).passthrough() }).passthrough(),
    json(`${where}: Input`, child.Input),
  );
  if (child.Status === 'SUCCEEDED') {
    if (child.Output === undefined) throw new RunFileUnreadable(`${where}: Output: missing`);
    return parsed(`${where}: Output`, backupStateSchema, json(`${where}: Output`, child.Output));
  }
  const recorded = child.Cause === undefined ? undefined : backupStateSchema.safeParse(safeJson(child.Cause));
  if (recorded?.success && recorded.data.error !== undefined) return recorded.data;
  return {
    target: input.backup.target,
    error: {
      Error: child.Error ?? `States.${child.Status}`,
      Cause:
        child.Cause ?? `the child execution ${child.Name ?? ''} ended ${child.Status}`.replace('  ', ' '),
    },
  };
}

/**
 * Every target's outcome from the Map's exported results, in item order of the files.
 *
 * @throws RunFileUnreadable for a missing or malformed manifest or result file.
 */
export async function readMapResults(files: RunFiles, output: MapRunOutput): Promise<BackupState[]> {
  const manifestAt = { bucket: output.ResultWriterDetails.Bucket, key: output.ResultWriterDetails.Key };
  const manifest = parsed(`manifest ${address(manifestAt)}`, manifestSchema, await files.getJson(manifestAt));
  const { SUCCEEDED, FAILED, PENDING } = manifest.ResultFiles;
  const out: BackupState[] = [];
  for (const file of [...SUCCEEDED, ...FAILED, ...PENDING]) {
    const at = { bucket: manifest.DestinationBucket, key: file.Key };
    const children = parsed(`result file ${address(at)}`, z.array(childSchema), await files.getJson(at));
    children.forEach((child, index) => {
      out.push(outcomeOf(`result file ${address(at)}: [${index}]`, child));
    });
  }
  return out;
}
