import type { Command } from 'commander';
import { createEc2RestorePort } from '../../shared/aws/ec2-restore.ts';
import { CLI_MAX_ATTEMPTS } from '../backup/clients.ts';
import { clientSettings, type GlobalOptions } from '../context.ts';
import type { Output } from '../output.ts';
import { seconds, wholeNumber } from '../parsers.ts';
import { parseRestoreArgs, type RawRestoreOptions, VOLUME_TYPES } from '../restore/args.ts';
import { restoreText, restoreVolume } from '../restore/restore.ts';

interface RestoreOptions extends Omit<RawRestoreOptions, 'region'> {
  pollSeconds: number;
  timeoutMinutes: number;
}

/**
 * `shipyard restore`: the "move an EBS volume with a snapshot" job — into another zone, or
 * another region — from a Shipyard backup (AMI or snapshot) or any snapshot of the account.
 */
export const register = (program: Command, output: Output): void => {
  program
    .command('restore')
    .description(
      'restore a volume from an AMI or snapshot into an availability zone, copying it across regions when needed',
    )
    .option('--from <id>', 'AMI (ami-…: its root snapshot, or --device) or snapshot (snap-…) to restore')
    .option('--az <zone>', 'availability zone of the new volume; must be in --region')
    .option('--source-region <region>', 'region of --from (default: --region)')
    .option('--volume-type <type>', `volume type (${VOLUME_TYPES.join(', ')})`, 'gp3')
    .option('--size <GiB>', 'volume size, at least the snapshot size (default: the snapshot size)')
    .option('--device <name>', "with an AMI: which mapping's snapshot to restore (default: the root device)")
    .option('--tag <KEY=VALUE...>', 'extra tags on the volume (and on a cross-region copy)')
    .option('--wait', 'wait for the cross-region copy and for the volume to be available')
    .option('--dry-run', 'check everything and show what would be done, create nothing')
    .option('--poll-seconds <n>', 'how often to check progress while waiting', seconds(3600), 5)
    .option('--timeout-minutes <n>', 'give up waiting after this long', wholeNumber(1, 7 * 24 * 60), 180)
    .addHelpText(
      'after',
      '\nThe destination region is the global --region (required here). Examples:\n' +
        '  shipyard restore --from snap-0123456789abcdef0 --region ap-south-1 --az ap-south-1b --wait\n' +
        '  shipyard restore --from ami-0123456789abcdef0 --source-region ap-south-1 --region us-west-1 --az us-west-1a --wait',
    )
    .action(async (options: RestoreOptions) => {
      const global = program.opts<GlobalOptions>();
      const region = global.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      const args = parseRestoreArgs({ ...options, ...(region === undefined ? {} : { region }) });
      const { region: _ignored, ...settings } = clientSettings(global);
      const port = (r: string) =>
        createEc2RestorePort({ ...settings, region: r, maxAttempts: CLI_MAX_ATTEMPTS });
      const destination = port(args.region);
      const result = await restoreVolume(args, {
        source: args.sourceRegion === args.region ? destination : port(args.sourceRegion),
        destination,
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        progress: (line) => output.progress(line),
        pollMs: options.pollSeconds * 1000,
        timeoutMs: options.timeoutMinutes * 60_000,
      });
      output.result(result, () => restoreText(result));
    });
};
