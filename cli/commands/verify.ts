import type { Command } from 'commander';
import { VerificationRefused } from '../../shared/backup/verification-errors.ts';
import type { VerificationRecord } from '../../shared/backup/verification-record.ts';
import { planVerification, runVerification } from '../../shared/backup-service/verify.ts';
import { findPolicy } from '../backup/policy.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { recordsBucket, verifyDeps } from '../verification/deps.ts';

/** `  (GET http://localhost:8080/health → 200)`: the HTTP probe's last answer, when there was a probe. */
const probeText = (probe: VerificationRecord['httpProbe']): string => {
  if (probe === undefined) return '';
  const answer = probe.httpStatus === undefined ? probe.status : String(probe.httpStatus);
  return `  (GET ${probe.url} → ${answer}, expected ${probe.expectStatus})`;
};

interface VerifyOptions {
  policy: string;
  target?: string[];
  wait?: boolean;
  recordsBucket?: string;
}

/**
 * `shipyard verify`: restore-test the newest backup of each target of a policy. Without
 * `--wait` it checks every refusal (isolation, caps) and prints what it would launch;
 * with `--wait` it launches, judges and terminates, and prints each result.
 */
export const register = (program: Command, output: Output): void => {
  program
    .command('verify')
    .description(
      'launch the newest backup of each target in the isolated verification subnet and check it boots',
    )
    .requiredOption('--policy <name>', 'backup policy whose verify settings to use')
    .option('--target <id...>', 'only these targets (instance, volume or foreign AMI ids)')
    .option('--wait', 'launch, wait for each result, terminate (without it: plan only, nothing launched)')
    .option('--records-bucket <bucket>', 'the run records bucket (stack output; or SHIPYARD_RECORDS_BUCKET)')
    .action(async (options: VerifyOptions) => {
      const global = program.opts<GlobalOptions>();
      const policy = findPolicy(loadConfigFile(global.config ?? DEFAULT_CONFIG_FILE), options.policy);
      const deps = verifyDeps(global, recordsBucket(options.recordsBucket));
      const request = {
        policy,
        verificationId: `verify-${policy.name}-${new Date().toISOString().replace(/[-:.]/g, '')}`,
        ...(options.target === undefined ? {} : { targets: options.target }),
        ...(global.region === undefined ? {} : { regions: [global.region] }),
      };
      try {
        if (!options.wait) {
          const planned = await planVerification(deps, request);
          output.result({ planned }, () =>
            planned.length === 0
              ? 'nothing to verify'
              : planned.map((c) => `would launch ${c.imageId} (${c.target}, ${c.region})`).join('\n'),
          );
          return;
        }
        const report = await runVerification(deps, request);
        output.result(report, () =>
          report.results
            .map(
              (r) =>
                `${r.status === 'passed' ? 'verified' : 'FAILED'}  ${r.target}  ${r.region}  ${r.imageId}  ${r.status === 'passed' ? `${r.secondsToPass} s to pass` : (r.reason ?? '')}${probeText(r.httpProbe)}`,
            )
            .join('\n'),
        );
        if (report.results.some((r) => r.status === 'failed')) process.exitCode = EXIT.failed;
      } catch (error) {
        if (error instanceof VerificationRefused)
          throw new UserError(error.problems.join('\n'), EXIT.usage, { cause: error });
        throw error;
      }
    });
};
