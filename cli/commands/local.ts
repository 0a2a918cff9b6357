import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { packageService } from '../../scripts/package-service.ts';
import { clientSettings, DEFAULT_LOCAL_ENDPOINT, type GlobalOptions } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import { sitesForLocalDeploy } from '../local-sites.ts';
import type { Output } from '../output.ts';
import { wholeNumber } from '../parsers.ts';

const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/** The port of the default local endpoint (the local cloud's own default). */
const DEFAULT_LOCAL_PORT = Number(new URL(DEFAULT_LOCAL_ENDPOINT).port);

/**
 * The local cloud (a second of module loading: every service, Step Functions' interpreter)
 * is loaded by the `local` commands that use it, not by every start of the CLI.
 */
const localCloud = () => import('@shipyard/local-cloud');

/** The local cloud to deploy into: --endpoint, --local, AWS_ENDPOINT_URL, else the default port. */
const endpointOf = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string =>
  clientSettings(options, env).endpoint ?? env.AWS_ENDPOINT_URL ?? DEFAULT_LOCAL_ENDPOINT;

const readPackage = (dir: string): { dir: string; template: unknown } => {
  const path = join(dir, TEMPLATE_FILE);
  if (!existsSync(path))
    throw new UserError(`${dir} is not a serverless package: ${TEMPLATE_FILE} is missing`);
  try {
    return { dir, template: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    throw new UserError(`${path} is not JSON`, EXIT.usage, { cause: error });
  }
};

/** `shipyard local deploy`: the packaged template, created in the local cloud, reported per resource. */
export const register = (program: Command, output: Output): void => {
  const local = program.command('local').description('rehearse Shipyard in the local cloud');
  local
    .command('start')
    .description('run the local cloud until Ctrl-C (as `npm run local`)')
    .option('--port <n>', 'port to listen on (0: any free port)', wholeNumber(0, 65535), DEFAULT_LOCAL_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts: { port: number; host: string }) => {
      const { PortInUseError, serveLocalCloud } = await localCloud();
      try {
        await serveLocalCloud({ port: opts.port, host: opts.host, log: (text) => output.progress(text) });
      } catch (error) {
        if (error instanceof PortInUseError) throw new UserError(`--port: ${error.message}`, EXIT.usage);
        throw error;
      }
    });
  local
    .command('deploy')
    .description(
      'package Shipyard (or use --package-dir) and create what the template describes in the local cloud',
    )
    .option('--stage <stage>', 'stage to package and deploy', 'dev')
    .option('--package-dir <dir>', 'an existing `serverless package` folder (skips packaging)')
    .action(async (opts: { stage: string; packageDir?: string }) => {
      const options = program.opts<GlobalOptions>();
      const endpoint = endpointOf(options);
      const { ControlClient, deployTemplate, formatReport } = await localCloud();
      try {
        await new ControlClient(endpoint).health();
      } catch (error) {
        throw new UserError(
          `cannot reach the local cloud at ${endpoint} (start it with \`npm run local\`)`,
          EXIT.unreachable,
          {
            cause: error,
          },
        );
      }
      let pkg: { dir: string; template: unknown };
      if (opts.packageDir) pkg = readPackage(resolve(opts.packageDir));
      else {
        output.progress(`packaging stage ${opts.stage} with serverless package…`);
        pkg = await packageService(opts.stage);
      }
      output.progress(`deploying ${pkg.dir} to ${endpoint}…`);
      const report = await deployTemplate({
        template: pkg.template,
        packageDir: pkg.dir,
        endpoint,
        region: clientSettings(options).region,
        stage: opts.stage,
        sites: sitesForLocalDeploy(opts.stage, options.config),
      });
      output.result({ ...report, packageDir: pkg.dir }, () => formatReport(report));
      if (report.blocking.length > 0) process.exitCode = EXIT.failed;
    });
};
