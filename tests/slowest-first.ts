/**
 * The order test files start in: the slowest first (measured, see the README's testing
 * section), so that the two workers end together instead of one starting a minute-long file
 * while the other has nothing left. Vitest orders by the durations it cached from an earlier
 * run; a fresh clone has none and would start the largest files, which are not the slowest.
 * Files not listed follow in vitest's own order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST_FIRST = [
  'tests/e2e/npm-start.test.ts',
  'tests/workflow/backup/fleet.test.ts',
  'tests/integration/local-deploy/iam-enforced-verify.test.ts',
  'tests/workflow/backup/state-size.test.ts',
  'tests/integration/local-deploy/iam-enforced.test.ts',
  'tests/faults/matrix.test.ts',
  'tests/integration/cli/basics.test.ts',
  'tests/integration/cli/backup-run.test.ts',
  'tests/integration/local-deploy/deploy.test.ts',
  'tests/integration/cli/front-door.test.ts',
  'tests/workflow/backup/nightly.test.ts',
  'tests/workflow/backup/sixty-nights.test.ts',
  'tests/packaging/template.test.ts',
  'tests/conformance/moto/ec2-moto.test.ts',
  'tests/integration/cli/restore.test.ts',
  'tests/workflow/backup/platforms.test.ts',
  'packages/local-cloud/tests/integration/stepfunctions.test.ts',
  'tests/packaging/config.test.ts',
  'tests/workflow/backup/event-waits.test.ts',
  'tests/integration/cli/backup-plan.test.ts',
  'tests/integration/cli/notify-deploy.test.ts',
];

const rankOf = (spec: TestSpecification): number => {
  const at = SLOWEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
  return at === -1 ? SLOWEST_FIRST.length : at;
};

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = await super.sort(files);
    const position = new Map(order.map((spec, i) => [spec, i]));
    return [...order].sort(
      (a, b) => rankOf(a) - rankOf(b) || (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
  }
}
