import { describe, expect, it } from 'vitest';
import { normalizeCodePipelineJob } from '../../../shared/invalidation-service/codepipeline.ts';
import { SITES } from './fixtures.ts';

const job = (UserParameters?: string, id: unknown = '11111111-abcd-1111-abcd-111111abcdef') => ({
  'CodePipeline.job': {
    id,
    accountId: '123456789012',
    data: { actionConfiguration: { configuration: { FunctionName: 'shipyard', UserParameters } } },
  },
});

describe('normalizeCodePipelineJob', () => {
  it("invalidates the named site's broad paths with the job id as deploy id", () => {
    const { jobId, changeSet } = normalizeCodePipelineJob(job('docs'), SITES);
    expect(jobId).toBe('11111111-abcd-1111-abcd-111111abcdef');
    expect(changeSet).toEqual({
      site: 'docs',
      deployId: jobId,
      source: 'codepipeline',
      changes: [],
      paths: ['/docs/*', '/index.html'],
      reason: 'CodePipeline invalidates the configured broad paths',
    });
  });

  it('takes explicit paths from JSON user parameters', () => {
    const { changeSet } = normalizeCodePipelineJob(
      job('{"site":"web","paths":["/index.html","/a b/*"]}'),
      SITES,
    );
    expect(changeSet.paths).toEqual(['/index.html', '/a%20b/*']);
  });

  it.each([
    [
      'no job id',
      job('web', ''),
      'malformed codepipeline event: CodePipeline.job.id: expected the job id (a non-empty string)',
    ],
    [
      'no user parameters',
      job(undefined),
      'malformed codepipeline event: CodePipeline.job.data.actionConfiguration.configuration.UserParameters: expected a site name or {"site": …}',
    ],
    [
      'user parameters that are not JSON',
      job('{site: web}'),
      'malformed codepipeline event: CodePipeline.job.data.actionConfiguration.configuration.UserParameters: not valid JSON',
    ],
    [
      'user parameters with a typo',
      job('{"site":"web","path":["/a"]}'),
      'malformed codepipeline event: CodePipeline.job.data.actionConfiguration.configuration.UserParameters: Unrecognized key: "path"',
    ],
  ])('rejects a job with %s', (_name, event, message) => {
    expect(() => normalizeCodePipelineJob(event, SITES)).toThrow(
      expect.objectContaining({ name: 'MalformedEventError', message }),
    );
  });
});
