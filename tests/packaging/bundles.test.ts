import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionBundle,
  functionBundles,
  handlerCode,
  MAX_BUNDLE_BYTES,
} from '../../scripts/bundles.ts';
import { packageServiceCached } from '../../scripts/package-service.ts';

let bundles: FunctionBundle[];

beforeAll(async () => {
  bundles = await functionBundles(await packageServiceCached('dev'));
});

/** The backup family: the backup workflow's functions and the restore verification's. */
// The drill's functions are the verified backups' failover (EC2 launch templates among them).
const isBackup = (b: FunctionBundle) => /^(backup|verify|drill)[A-Z]/.test(b.key);
/** Strings only the bundled SDK clients contain (service ids survive minification). */
const CLOUDFRONT_MARKERS = ['CloudFrontClient', 'cloudfront.amazonaws.com'];
const EC2_MARKERS = ['EC2Client', 'ec2.amazonaws.com'];
const containsAny = (code: string, markers: readonly string[]) => markers.filter((m) => code.includes(m));

describe('function bundles (serverless package output)', () => {
  it('packages every function on its own, backup and invalidation alike', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    expect(bundles.some(isBackup)).toBe(true);
    expect(bundles.some((b) => !isBackup(b))).toBe(true);
  });

  it('keeps every zip within 600 KiB', () => {
    const over = bundles
      .filter((b) => b.zipBytes > MAX_BUNDLE_BYTES)
      .map((b) => `${b.key}: ${b.zipBytes} bytes`);
    expect(over).toEqual([]);
  });

  it('ships no CloudFront client in backup functions', () => {
    const offenders = bundles
      .filter(isBackup)
      .map((b) => [b.key, containsAny(handlerCode(b).toString('utf8'), CLOUDFRONT_MARKERS)] as const)
      .filter(([, found]) => found.length > 0);
    expect(offenders).toEqual([]);
  });

  it('ships no EC2 client in invalidation functions', () => {
    const offenders = bundles
      .filter((b) => !isBackup(b))
      .map((b) => [b.key, containsAny(handlerCode(b).toString('utf8'), EC2_MARKERS)] as const)
      .filter(([, found]) => found.length > 0);
    expect(offenders).toEqual([]);
  });

  it('finds the markers where the clients are used (the checks above can fail)', () => {
    const code = (key: string) => {
      const bundle = bundles.find((b) => b.key === key);
      if (!bundle) throw new Error(`no bundle ${key}`);
      return handlerCode(bundle).toString('utf8');
    };
    expect(containsAny(code('invalidateS3Events'), CLOUDFRONT_MARKERS)).toEqual(CLOUDFRONT_MARKERS);
    expect(containsAny(code('backupCreateSnapshots'), EC2_MARKERS)).toEqual(EC2_MARKERS);
  });

  it('ships a linked source map next to each handler and enables source maps in the runtime', () => {
    for (const bundle of bundles) {
      const names = bundle.entries.map((e) => e.name);
      expect(names, bundle.key).toContain(`${bundle.handlerFile}.map`);
      const file = bundle.handlerFile.split('/').at(-1);
      expect(
        handlerCode(bundle).toString('utf8').trimEnd().endsWith(`//# sourceMappingURL=${file}.map`),
        bundle.key,
      ).toBe(true);
      expect(bundle.environment.NODE_OPTIONS?.split(/\s+/), bundle.key).toContain('--enable-source-maps');
    }
  });

  it('maps the handler back to the product sources only, its own handler.ts included', () => {
    for (const bundle of bundles) {
      const entry = bundle.entries.find((e) => e.name === `${bundle.handlerFile}.map`);
      if (!entry) throw new Error(`no source map in ${bundle.key}`);
      const { sources } = JSON.parse(entry.content.toString('utf8')) as { sources: string[] };
      expect(
        sources.filter((s) => s.includes('node_modules/')),
        bundle.key,
      ).toEqual([]);
      const handlerSource = bundle.handlerFile.replace(/\.mjs$/, '.ts');
      expect(
        sources.some((s) => s.endsWith(handlerSource)),
        bundle.key,
      ).toBe(true);
    }
  });
});
