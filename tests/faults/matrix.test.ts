/**
 * The fault matrix (`npm run test:faults`): twelve worst nights, each run in the local cloud
 * with fault injection and re-runs, with the properties that must hold written next to each
 * scenario (its `properties`). Every scenario asserts zero violations; the table printed at
 * the end is the report (bench/RESULTS.md, "Fault matrix").
 */
import { afterAll } from 'vitest';
import { backupScenarios } from './backup.scenarios.ts';
import { invalidationScenarios } from './invalidation.scenarios.ts';
import { matrixTable } from './ledger.ts';
import { scheduleScenarios } from './schedule.scenarios.ts';

backupScenarios();
invalidationScenarios();
scheduleScenarios();

afterAll(() => {
  console.info(`\nFault matrix\n${matrixTable()}\n`);
});
