import { createHash } from 'node:crypto';
import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { awsJsonService, jsonAction } from '../../protocol/aws-json.ts';
import { getCommandInvocation, sendCommand } from './commands.ts';
import { describeInstanceInformation } from './instance-information.ts';

/**
 * SSM (awsJson1_1, `AmazonSSM.*`): Parameter Store (String, StringList and SecureString, per
 * region), the managed instances of DescribeInstanceInformation (instance-information.ts) and
 * Run Command's SendCommand / GetCommandInvocation (commands.ts).
 */

const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];

/** Standard-tier limits. */
const MAX_NAME_LENGTH = 2048;
const MAX_VALUE_LENGTH = 4096;
const DEFAULT_KMS_KEY = 'alias/aws/ssm';

interface Parameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: number;
  description?: string;
  keyId?: string;
}

interface SsmStore {
  /** region → name → parameter */
  regions: Map<string, Map<string, Parameter>>;
}

const ssmStore = (cloud: LocalCloud): SsmStore => cloud.store('ssm', () => ({ regions: new Map() }));

const regionParameters = (cloud: LocalCloud, region: string): Map<string, Parameter> => {
  const store = ssmStore(cloud);
  let params = store.regions.get(region);
  if (!params) {
    params = new Map();
    store.regions.set(region, params);
  }
  return params;
};

const validation = (message: string) => new AwsError('ValidationException', message);

/** Names: letters, digits and `_.-/`; a hierarchy starts with `/`; `aws`/`ssm` prefixes are reserved. */
const checkName = (name: string): void => {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw validation(`Parameter name must be 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
  if (/^\/?(aws|ssm)/i.test(name)) {
    throw validation(
      'No access to reserved parameter name: parameter names cannot start with "aws" or "ssm".',
    );
  }
};

/** Accepts a name or the parameter's ARN, as GetParameter does. */
const nameFromArn = (nameOrArn: string): string => {
  const match = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter(\/.*)$/.exec(nameOrArn);
  if (!match?.[1]) return nameOrArn;
  // `parameter/a` is the ARN of `a`; `parameter//a/b` does not occur, `/a/b` keeps its slash.
  const rest = match[1];
  return rest.indexOf('/', 1) === -1 ? rest.slice(1) : rest;
};

const parameterArn = (cloud: LocalCloud, region: string, name: string): string =>
  `arn:aws:ssm:${region}:${cloud.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/**
 * What GetParameter returns for a SecureString without WithDecryption: an opaque
 * base64 blob in the shape of a KMS ciphertext, never the plaintext.
 */
const ciphertext = (p: Parameter): string => {
  const digest = createHash('sha256')
    .update(`${p.keyId ?? DEFAULT_KMS_KEY}|${p.name}|${p.version}|${p.value}`)
    .digest();
  return Buffer.concat([Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]), digest, digest]).toString('base64');
};

const notFound = (name: string) => new AwsError('ParameterNotFound', `Parameter ${name} not found.`);

const GetParameterInput = z.object({
  Name: z.string({ message: 'Member must not be null' }),
  WithDecryption: z.boolean().optional(),
});

const PutParameterInput = z.object({
  Name: z.string({ message: 'Member must not be null' }),
  Value: z.string({ message: 'Member must not be null' }),
  Type: z
    .enum(PARAMETER_TYPES, { message: `Member must satisfy enum value set: [${PARAMETER_TYPES.join(', ')}]` })
    .optional(),
  Overwrite: z.boolean().optional(),
  Description: z.string().max(1024).optional(),
  KeyId: z.string().optional(),
  Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']).optional(),
  DataType: z.string().optional(),
  AllowedPattern: z.string().optional(),
});

const getParameter = jsonAction({
  input: GetParameterInput,
  run: ({ cloud, region, input }) => {
    const name = nameFromArn(input.Name);
    const p = regionParameters(cloud, region).get(name);
    if (!p) throw notFound(name);
    const value = p.type === 'SecureString' && input.WithDecryption !== true ? ciphertext(p) : p.value;
    return {
      Parameter: {
        Name: p.name,
        Type: p.type,
        Value: value,
        Version: p.version,
        // awsJson timestamps are epoch seconds.
        LastModifiedDate: p.lastModified / 1000,
        ARN: parameterArn(cloud, region, p.name),
        DataType: 'text',
      },
    };
  },
});

/** Stores a parameter; shared by PutParameter and seeds. Returns the new version. */
const putParameterValue = (
  cloud: LocalCloud,
  region: string,
  input: z.infer<typeof PutParameterInput>,
): number => {
  checkName(input.Name);
  if (input.Value.length === 0 || input.Value.length > MAX_VALUE_LENGTH) {
    throw validation(`Parameter value must be 1 to ${MAX_VALUE_LENGTH} characters for the Standard tier.`);
  }
  if (input.AllowedPattern !== undefined && !new RegExp(input.AllowedPattern).test(input.Value)) {
    throw new AwsError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${input.AllowedPattern}`,
    );
  }
  const params = regionParameters(cloud, region);
  const existing = params.get(input.Name);
  if (existing && input.Overwrite !== true) {
    throw new AwsError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const type = input.Type ?? existing?.type;
  if (!type) throw validation('A parameter type is required when you create a parameter.');
  const version = (existing?.version ?? 0) + 1;
  params.set(input.Name, {
    name: input.Name,
    type,
    value: input.Value,
    version,
    lastModified: cloud.now(),
    description: input.Description ?? existing?.description,
    keyId: type === 'SecureString' ? (input.KeyId ?? existing?.keyId ?? DEFAULT_KMS_KEY) : undefined,
  });
  return version;
};

const putParameter = jsonAction({
  input: PutParameterInput,
  run: ({ cloud, region, input }) => ({
    Version: putParameterValue(cloud, region, input),
    Tier: 'Standard',
  }),
});

const SsmSeedSchema = z
  .object({
    parameters: z.array(
      z
        .object({
          name: z.string().min(1),
          value: z.string().min(1),
          type: z.enum(PARAMETER_TYPES).optional().describe('String when absent'),
          region: z.string().min(1).optional().describe('us-east-1 when absent'),
        })
        .strict(),
    ),
  })
  .strict();

export const ssmService = awsJsonService({
  name: 'ssm',
  targetPrefix: 'AmazonSSM',
  actions: {
    GetParameter: getParameter,
    PutParameter: putParameter,
    DescribeInstanceInformation: describeInstanceInformation,
    SendCommand: sendCommand,
    GetCommandInvocation: getCommandInvocation,
  },
  seed(cloud, input) {
    const seed = SsmSeedSchema.parse(input);
    return {
      parameters: seed.parameters.map((p) => {
        const region = p.region ?? 'us-east-1';
        const version = putParameterValue(cloud, region, {
          Name: p.name,
          Value: p.value,
          Type: p.type ?? 'String',
          Overwrite: true,
        });
        return { name: p.name, region, version };
      }),
    };
  },
  dump(cloud) {
    const regions: Record<string, unknown[]> = {};
    for (const [region, params] of ssmStore(cloud).regions) {
      regions[region] = [...params.values()].map((p) => ({
        name: p.name,
        type: p.type,
        version: p.version,
        // SecureString plaintext stays out of the state view, as it would in a console.
        value: p.type === 'SecureString' ? ciphertext(p) : p.value,
        lastModified: new Date(p.lastModified).toISOString(),
      }));
    }
    return { regions };
  },
});
