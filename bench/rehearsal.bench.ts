/**
 * Rehearsal benchmark: runs `npm start -- --json --nights N` (3 by default) under
 * `/usr/bin/time -v` and prints its CPU seconds (user + sys), peak RSS and Lambda figures as
 * JSON. It measures; it never fails on a timing.
 *
 * Run: npm run bench:rehearsal [-- --nights 3]
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import type { RehearsalSummary } from '../cli/rehearsal/report.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { nights: { type: 'string', default: '3' } } });
const nights = Number(values.nights);

const { stdout, stderr } = await run(
  '/usr/bin/time',
  ['-v', 'npm', 'start', '--silent', '--', '--json', '--nights', String(nights)],
  { maxBuffer: 64 * 1024 * 1024 },
);
const field = (label: string): number => Number(stderr.match(new RegExp(`${label}: ([\\d.]+)`))?.[1] ?? NaN);
const summary = JSON.parse(stdout) as RehearsalSummary;
const cpuSeconds = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
process.stdout.write(
  `${JSON.stringify(
    {
      nights,
      ok: summary.ok,
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      peakRssMiB: Number((field('Maximum resident set size \\(kbytes\\)') / 1024).toFixed(0)),
      lambdaInvocations: summary.lambda.invocations,
      lambdaColdStarts: summary.lambda.coldStarts,
      cpuSecondsPerInvocation: Number((cpuSeconds / summary.lambda.invocations).toFixed(3)),
    },
    null,
    2,
  )}\n`,
);
