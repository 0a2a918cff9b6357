import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { aslToMermaid, replaceDiagram } from './asl-mermaid.ts';

/** `npm run docs:diagram`: regenerate the README's backup state machine diagram from the ASL file. */
const definition = parse(readFileSync('statemachines/backup.asl.yaml', 'utf8'));
const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', replaceDiagram(readme, aslToMermaid(definition)));
console.log('README.md backup diagram regenerated from statemachines/backup.asl.yaml');
