import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { created, optionalString, type ResourceHandler, stringProp } from '../context.ts';

/** AWS::SSM::Parameter: PutParameter with Overwrite (a re-deploy updates the value in place). */
export const deployParameter: ResourceHandler = async (ctx, resource) => {
  const name = resource.physical.ref;
  const type = stringProp(resource, 'Type');
  if (type !== 'String' && type !== 'StringList')
    return {
      status: 'unsupported',
      reason: `CloudFormation creates only String and StringList parameters (${type})`,
    };
  const description = optionalString(resource, 'Description');
  await ctx.clients.ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: stringProp(resource, 'Value'),
      Type: type,
      Overwrite: true,
      ...(description === undefined ? {} : { Description: description }),
    }),
  );
  return created(name);
};
