/** `shipyard backup plan`: what rotation would delete and keep, and why (read-only). */
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import type { Output } from '../output.ts';
import { isoInstant } from '../parsers.ts';
import { ec2Ports } from './clients.ts';
import { planRotation, planText } from './plan.ts';
import { findPolicy, parseTargets } from './policy.ts';

export const registerPlan = (backup: Command, global: () => GlobalOptions, output: Output): void => {
  backup
    .command('plan')
    .description('what rotation would delete and keep in every region of a policy, and why (read-only)')
    .requiredOption('--policy <name>', 'backup policy from the config file')
    .option(
      '--target <ids...>',
      'only these instance or volume ids (default: the targets a run would select now)',
    )
    .option('--at <instant>', 'evaluate retention at this ISO instant (default: now)', isoInstant)
    .action(async (options: { policy: string; target?: string[]; at?: string }) => {
      const policy = findPolicy(loadConfigFile(global().config ?? DEFAULT_CONFIG_FILE), options.policy);
      const targets = parseTargets(options.target);
      const report = await planRotation({
        policy,
        ec2: ec2Ports(global()),
        at: options.at ?? new Date().toISOString(),
        ...(targets ? { targets } : {}),
      });
      output.result(report, () => planText(report));
    });
};
