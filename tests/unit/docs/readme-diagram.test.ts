import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aslToMermaid, replaceDiagram } from '../../../scripts/asl-mermaid.ts';

describe('README backup diagram', () => {
  it('is the Mermaid rendering of statemachines/backup.asl.yaml (run npm run docs:diagram after changing the ASL)', () => {
    const definition = parse(readFileSync('statemachines/backup.asl.yaml', 'utf8'));
    const readme = readFileSync('README.md', 'utf8');
    expect(replaceDiagram(readme, aslToMermaid(definition))).toBe(readme);
  });

  it('draws every state, choice branch and catch edge', () => {
    const mermaid = aslToMermaid({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Next: 'B', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }] },
        B: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'y', Next: 'A' }], Default: 'S' },
        S: { Type: 'Succeed' },
        F: { Type: 'Fail' },
      },
    });
    expect(mermaid).toContain('A["A"]');
    expect(mermaid).toContain('A --> B');
    expect(mermaid).toContain('B -- "x = y" --> A');
    expect(mermaid).toContain('B -- otherwise --> S');
    expect(mermaid).toContain('A -. "any error" .-> F');
  });
});
