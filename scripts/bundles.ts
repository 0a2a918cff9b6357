import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readZip, type ZipEntry } from '@shipyard/local-cloud';
import type { PackagedService } from './package-service.ts';

/** Issue 12 §3: no deployment package over 600 KiB (KiB: what the Lambda console reports). */
export const MAX_BUNDLE_BYTES = 600 * 1024;

/** Functions on the deploy path, which must initialise in under 200 ms. */
export const DEPLOY_EVENT_FUNCTIONS = [
  'invalidateS3Events',
  'invalidateDeployEvent',
  'invalidateDeferred',
  'githubWebhook',
  'codepipelineInvalidate',
] as const;

export interface FunctionBundle {
  /** serverless.yml function key, e.g. invalidateS3Events (also the zip's name). */
  key: string;
  zipPath: string;
  zipBytes: number;
  /** The handler module inside the zip, e.g. functions/invalidate-s3-events/handler.mjs. */
  handlerFile: string;
  /** The function's environment; CloudFormation intrinsics (Ref, GetAtt…) become placeholders. */
  environment: Record<string, string>;
  entries: ZipEntry[];
}

interface LambdaProperties {
  Handler?: string;
  Code?: { S3Key?: string };
  Environment?: { Variables?: Record<string, unknown> };
}

/** Every function of a packaged service, with its zip read into memory. */
export const functionBundles = async (packaged: PackagedService): Promise<FunctionBundle[]> => {
  const bundles: FunctionBundle[] = [];
  for (const resource of Object.values(packaged.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = (resource.Properties ?? {}) as LambdaProperties;
    if (!props.Code?.S3Key || !props.Handler) continue;
    const zipName = basename(props.Code.S3Key);
    const zipPath = join(packaged.dir, zipName);
    const zip = await readFile(zipPath);
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(props.Environment?.Variables ?? {}))
      environment[name] = typeof value === 'string' ? value : `placeholder-for-${name}`;
    bundles.push({
      key: zipName.replace(/\.zip$/, ''),
      zipPath,
      zipBytes: zip.length,
      handlerFile: `${props.Handler.slice(0, props.Handler.lastIndexOf('.'))}.mjs`,
      environment,
      entries: readZip(zip),
    });
  }
  return bundles.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

/** The handler module's code (throws if the zip lacks it: the package would not run). */
export const handlerCode = (bundle: FunctionBundle): Buffer => {
  const entry = bundle.entries.find((e) => e.name === bundle.handlerFile);
  if (!entry) throw new Error(`${bundle.key}: ${bundle.handlerFile} is not in ${bundle.zipPath}`);
  return entry.content;
};

/** Writes the zip's files under `dir` (as Lambda unpacks them into /var/task). */
export const unpackBundle = async (bundle: FunctionBundle, dir: string): Promise<void> => {
  for (const entry of bundle.entries) {
    const target = join(dir, entry.name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, entry.content);
  }
};
