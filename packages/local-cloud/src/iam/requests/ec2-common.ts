import { QueryParams } from '../../protocol/query.ts';
import { ec2Store } from '../../services/ec2/store.ts';
import { RequestContext } from '../context.ts';
import type { AuthorizationRequest } from '../evaluate.ts';
import type { MappingInput } from './types.ts';

/**
 * EC2 operations → the authorisations of the Service Authorization Reference, "Actions,
 * resources, and condition keys for Amazon EC2". Images and snapshots have no account in
 * their ARN; a resource a call creates is authorised as `…/<type>/*` with the request's tags
 * (aws:RequestTag, aws:TagKeys), an existing one by id with its tags (aws:ResourceTag,
 * ec2:ResourceTag). Tags given at creation are authorised as ec2:CreateTags too, with
 * ec2:CreateAction naming the create call (EC2 User Guide, "Grant permission to tag Amazon
 * EC2 resources during creation").
 */
export type Tags = Map<string, string>;

export const imageArn = (region: string, id: string) => `arn:aws:ec2:${region}::image/${id}`;
export const snapshotArn = (region: string, id: string) => `arn:aws:ec2:${region}::snapshot/${id}`;
export const accountArn = (input: MappingInput, type: string, id: string) =>
  `arn:aws:ec2:${input.req.region}:${input.cloud.accountId}:${type}/${id}`;

export const paramsOf = (input: MappingInput) =>
  QueryParams.parse(input.req.body.toString('utf8'), input.req.query);

/** TagSpecification.N tags by resource type (lenient: the service itself validates them). */
export const tagSpecifications = (params: QueryParams): Map<string, Tags> => {
  const specs = new Map<string, Tags>();
  for (const spec of params.members('TagSpecification')) {
    const type = spec.get('ResourceType') ?? '';
    const tags = specs.get(type) ?? new Map<string, string>();
    for (const tag of spec.members('Tag')) tags.set(tag.get('Key') ?? '', tag.get('Value') ?? '');
    specs.set(type, tags);
  }
  return specs;
};

export const existing = (action: string, resource: string, tags: Tags | undefined): AuthorizationRequest => ({
  action,
  resource,
  context: new RequestContext().withResourceTags(tags ?? new Map(), 'ec2'),
});

/** A resource the call creates, and the CreateTags authorisation of its tags when it has some. */
export const created = (
  action: string,
  resource: string,
  tags: Tags | undefined,
  createAction: string,
): AuthorizationRequest[] => {
  const context = new RequestContext().withRequestTags(tags ?? new Map());
  const create = { action, resource, context };
  if (!tags || tags.size === 0) return [create];
  return [
    create,
    { action: 'ec2:CreateTags', resource, context: context.copy().set('ec2:CreateAction', createAction) },
  ];
};

export const region = (input: MappingInput) => ec2Store(input.cloud).region(input.req.region);
