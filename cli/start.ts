import { parseArgs } from 'node:util';
import { renderSummary } from './rehearsal/render-summary.ts';
import { rehearse } from './rehearsal/run.ts';

/**
 * `npm start`: rehearse the whole of Shipyard offline and print what it did.
 * Options: --port N (0 = any free port, the default), --nights N (14), --json.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    nights: { type: 'string', default: '14' },
    json: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const nights = Number(values.nights);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`shipyard start: --port must be 0-65535, got ${values.port}`);
  process.exit(2);
}
if (!Number.isInteger(nights) || nights < 1 || nights > 120) {
  console.error(`shipyard start: --nights must be 1-120, got ${values.nights}`);
  process.exit(2);
}

const started = Date.now();
try {
  const summary = await rehearse({
    port,
    nights,
    log: (line) => (values.json ? process.stderr : process.stdout).write(`${line}\n`),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(`${renderSummary(summary)}\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  process.exitCode = summary.ok ? 0 : 1;
} catch (error) {
  console.error(`shipyard start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
