/**
 * Which backup state machine the CLI talks to, and how an execution given by name or ARN
 * becomes an ARN. Explicit beats implicit: `--state-machine-arn`, then
 * SHIPYARD_BACKUP_STATE_MACHINE_ARN, then the deployed name `shipyard-<stage>-backup`.
 */
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { isValidExecutionName } from '../../shared/backup/naming.ts';
import { EXIT, UserError } from '../errors.ts';

const MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:[A-Za-z0-9_-]{1,80}:[^:\s]{1,80}$/;
const STAGE = /^[A-Za-z0-9-]{1,40}$/;

export interface MachineOptions {
  stateMachineArn?: string;
  stage: string;
}

const machineNameOf = (stage: string): string => `shipyard-${stage}-backup`;

/** The region in a state machine or execution ARN (clients must call that region). */
export const regionOfArn = (arn: string): string | undefined =>
  (MACHINE_ARN.exec(arn) ?? EXECUTION_ARN.exec(arn))?.[1];

/** Validates what was given without calling AWS; `undefined` means "discover by name". */
export function explicitMachineArn(options: MachineOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (!STAGE.test(options.stage)) throw new UserError(`--stage: "${options.stage}" is not a stage name`);
  const fromFlag = options.stateMachineArn;
  const arn = fromFlag ?? env.SHIPYARD_BACKUP_STATE_MACHINE_ARN;
  if (arn === undefined || arn === '') return undefined;
  if (!MACHINE_ARN.test(arn)) {
    const source = fromFlag === undefined ? 'SHIPYARD_BACKUP_STATE_MACHINE_ARN' : '--state-machine-arn';
    throw new UserError(
      `${source}: "${arn}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
    );
  }
  return arn;
}

export async function resolveMachineArn(
  options: MachineOptions,
  env: NodeJS.ProcessEnv,
  sfn: BackupExecutionsPort,
): Promise<string> {
  const explicit = explicitMachineArn(options, env);
  if (explicit !== undefined) return explicit;
  const name = machineNameOf(options.stage);
  const found = (await sfn.listStateMachines()).find((m) => m.name === name);
  if (found === undefined) {
    throw new UserError(
      `no state machine named ${name} in this account and region: deploy Shipyard (stage ${options.stage}) or pass --state-machine-arn`,
      EXIT.usage,
    );
  }
  return found.stateMachineArn;
}

/** `arn:…:stateMachine:M` + name → `arn:…:execution:M:name`. */
export const executionArnOf = (machineArn: string, name: string): string =>
  `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** An execution given as an ARN or as its name (validated either way). */
export function executionRef(value: string): { arn: string } | { name: string } {
  if (value.startsWith('arn:')) {
    if (!EXECUTION_ARN.test(value)) throw new UserError(`EXECUTION: "${value}" is not an execution ARN`);
    return { arn: value };
  }
  if (!isValidExecutionName(value))
    throw new UserError(`EXECUTION: "${value}" is not a valid execution name`);
  return { name: value };
}
