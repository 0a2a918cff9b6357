import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/errors.ts';
import { parseConfig } from '../../../shared/config/load.ts';

const problemsOf = (text: string) => {
  try {
    parseConfig(text, 'test.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
};

describe('config loader', () => {
  it.each(['config/shipyard.dev.yml', 'config/shipyard.prod.yml'])('accepts the shipped %s', (file) => {
    const config = parseConfig(readFileSync(file, 'utf8'), file);
    expect(config.sites.length).toBeGreaterThan(0);
    expect(config.backupPolicies.length).toBeGreaterThan(0);
  });

  it('fills defaults for an omitted section', () => {
    const config = parseConfig('sites: []\n');
    expect(config.backupPolicies).toEqual([]);
    expect(config.notifications).toEqual({});
  });

  it('reports every problem at once, each with its path and line', () => {
    // Prepare: three mistakes on three lines
    const text = [
      'sites:',
      '  - name: Web',
      '    bucket: ok-bucket',
      '    distributionIds: [not-an-id]',
      '    colour: blue',
    ].join('\n');
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'sites[0].name', line: 2 }),
        expect.objectContaining({ path: 'sites[0].distributionIds[0]', line: 4 }),
        expect.objectContaining({ path: 'sites[0]', line: 5, message: expect.stringContaining('colour') }),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('rejects duplicate site names (and the repeated distribution id)', () => {
    const site = '  - { name: web, bucket: b-1-b, distributionIds: [E2QWRUHAPOMQZL] }';
    const problems = problemsOf(`sites:\n${site}\n${site}\n`);
    expect(problems).toEqual([
      expect.objectContaining({ path: 'sites', message: 'site name "web" is used more than once' }),
      expect.objectContaining({
        path: 'sites[1].distributionIds[0]',
        message: expect.stringMatching(/^distribution E2QWRUHAPOMQZL is already listed at sites\[0\]/),
      }),
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('sites:\n  - name: web\n   bucket: [unclosed\n');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects a copy region equal to the source region with the policy path', () => {
    const text = readFileSync('config/shipyard.dev.yml', 'utf8').replace(
      'region: us-west-1',
      'region: ap-south-1',
    );
    const problems = problemsOf(text);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: 'backupPolicies[0].copyRegions[0].region',
        message: 'copy region ap-south-1 is the source region',
      }),
    );
  });
});

describe('config path in a function', () => {
  it('resolves a relative config file against the Lambda task root', async () => {
    const { resolveConfigPath } = await import('../../../shared/config/path.ts');
    expect(resolveConfigPath('config/a.yml', { LAMBDA_TASK_ROOT: '/var/task' })).toBe(
      '/var/task/config/a.yml',
    );
    expect(resolveConfigPath('/etc/a.yml', { LAMBDA_TASK_ROOT: '/var/task' })).toBe('/etc/a.yml');
    expect(resolveConfigPath('config/a.yml', {})).toBe('config/a.yml');
  });
});
