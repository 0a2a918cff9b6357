import { readFileSync, writeFileSync } from 'node:fs';
import { renderIamTable, replaceIamTable } from './iam-report.ts';
import { packageService } from './package-service.ts';

/** `npm run docs:iam`: package the service and rewrite the README's IAM table from the template. */
const { template } = await packageService('dev');
const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', replaceIamTable(readme, renderIamTable(template)));
console.log('README.md IAM table updated from the packaged template');
