import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, formatProblem } from '../../shared/config/errors.ts';
import { validateConfigText } from '../../shared/config/review.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';

/**
 * `shipyard config validate`: every problem with its file location (exit 2), or a one-line
 * summary and the warnings (exit 0). Packaging runs the same checks.
 */
export const register = (program: Command, output: Output): void => {
  const config = program.command('config').description('work with the Shipyard config file');
  config
    .command('validate')
    .description('check the config file and print every problem with its location')
    .argument('[file]', 'config file (default: --config or config/shipyard.dev.yml)')
    .action((file: string | undefined) => {
      const options = program.opts<GlobalOptions>();
      const path = file ?? options.config ?? DEFAULT_CONFIG_FILE;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new UserError(`cannot read config file ${path}`);
      }
      try {
        const { config: parsed, warnings } = validateConfigText(text, path, Date.now());
        output.result(
          {
            file: path,
            valid: true,
            sites: parsed.sites.length,
            backupPolicies: parsed.backupPolicies.length,
            warnings,
          },
          () =>
            [
              `${path}: valid (${parsed.sites.length} site${parsed.sites.length === 1 ? '' : 's'}, ${parsed.backupPolicies.length} backup polic${parsed.backupPolicies.length === 1 ? 'y' : 'ies'}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''})`,
              ...warnings.map((w) => `  warning: ${formatProblem(path, w)}`),
            ].join('\n'),
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        output.result({ file: path, valid: false, problems: error.problems }, () => error.message);
        process.exitCode = EXIT.usage;
      }
    });
};
