import type { Command } from 'commander';
import { DrillLocked, DrillRefused } from '../../shared/backup/verification-errors.ts';
import { type DrillReport, runDrill } from '../../shared/backup-service/drill.ts';
import type { DrillConfig } from '../../shared/config/drill.ts';
import { executionsPort } from '../backup/clients.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { drillDeps, recordsBucket } from '../verification/deps.ts';
import { drillMachineArn, runDeployedDrill } from '../verification/drill-execution.ts';

interface DrillOptions {
  name?: string;
  run?: boolean;
  plan?: boolean;
  recordsBucket?: string;
  stage: string;
  stateMachineArn?: string;
}

const POLL_MS = 15_000;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A run goes through the deployed drill state machine when the stage has one; a plan (read-only) runs here. */
async function drillReport(
  global: GlobalOptions,
  options: DrillOptions,
  drill: DrillConfig,
): Promise<DrillReport> {
  if (options.run) {
    const sfn = executionsPort(global);
    const machineArn = await drillMachineArn(sfn, options);
    if (machineArn !== undefined)
      return runDeployedDrill(sfn, { machineArn, drill: drill.name, pollMs: POLL_MS, sleep: realSleep });
  }
  return runDrill(drillDeps(global, recordsBucket(options.recordsBucket)), drill, {
    mode: options.run ? 'run' : 'plan',
    owner: `shipyard-cli-${process.pid}-${Date.now()}`,
  });
}

const drillText = (r: DrillReport): string =>
  [
    `drill ${r.drill} (${r.accelerator}): ${r.status}, standby AMI ${r.standbyImageId}`,
    ...r.plan.map(
      (s) => `  step ${s.percent} %: ${s.writes.map((w) => `${w.region} → dial ${w.dial}`).join(', ')}`,
    ),
    ...r.steps.map(
      (s) =>
        `  ${s.passed ? 'passed' : 'FAILED'} ${s.dial} % to ${s.region}${s.shiftSeconds === undefined ? '' : ` (shifted in ${s.shiftSeconds} s)`}${s.reason ? `: ${s.reason}` : ''}`,
    ),
    ...r.errors.map((e) => `  error: ${e}`),
    r.mode === 'run'
      ? `  dials restored: ${r.restored ? 'yes' : 'NO'}`
      : '  plan only: nothing changed (use --run)',
  ].join('\n');

/** `shipyard drill --plan|--run`: a failover drill behind Global Accelerator; monitor-only by default. */
export const register = (program: Command, output: Output): void => {
  program
    .command('drill')
    .description('rehearse a region failover behind Global Accelerator (plan by default)')
    .option('--name <drill>', 'which drill of the config (default: the only one)')
    .option('--plan', 'check the parity gate and print the dial plan, change nothing (default)')
    .option('--run', 'run the drill: dial in steps behind the alarms, then restore the recorded dials')
    .option('--records-bucket <bucket>', 'the run records bucket (stack output; or SHIPYARD_RECORDS_BUCKET)')
    .option('--stage <stage>', 'stage whose drill state machine --run starts (shipyard-<stage>-drill)', 'dev')
    .option('--state-machine-arn <arn>', 'the drill state machine (default: found by name for --stage)')
    .action(async (options: DrillOptions) => {
      if (options.run && options.plan) throw new UserError('--plan and --run: choose one');
      const global = program.opts<GlobalOptions>();
      const drills = loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE).drills;
      const drill =
        options.name === undefined && drills.length === 1
          ? drills[0]
          : drills.find((d) => d.name === options.name);
      if (drill === undefined)
        throw new UserError(
          `--name: expected one of the configured drills (${drills.map((d) => d.name).join(', ') || 'none'})`,
        );
      try {
        const report = await drillReport(global, options, drill);
        output.result(report, () => drillText(report));
        if (report.status === 'reverted' || !report.restored) process.exitCode = EXIT.failed;
      } catch (error) {
        if (error instanceof DrillRefused)
          throw new UserError(error.problems.join('\n'), EXIT.usage, { cause: error });
        if (error instanceof DrillLocked) throw new UserError(error.message, EXIT.failed, { cause: error });
        throw error;
      }
    });
};
