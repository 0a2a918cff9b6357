import { created, optionalString, type ResourceHandler, stringProp } from '../context.ts';

export const deployTopic: ResourceHandler = async (ctx, resource) => {
  const display = optionalString(resource, 'DisplayName');
  const out = await ctx.clients.sns('CreateTopic', {
    Name: String(resource.physical.attributes.TopicName),
    ...(display !== undefined
      ? { 'Attributes.entry.1.key': 'DisplayName', 'Attributes.entry.1.value': display }
      : {}),
  });
  return created(String(out.TopicArn));
};

export const deploySubscription: ResourceHandler = async (ctx, resource) => {
  const protocol = stringProp(resource, 'Protocol');
  const out = await ctx.clients.sns('Subscribe', {
    TopicArn: stringProp(resource, 'TopicArn'),
    Protocol: protocol,
    Endpoint: stringProp(resource, 'Endpoint'),
    ReturnSubscriptionArn: 'true',
  });
  const pending = ['email', 'email-json', 'http', 'https', 'sms'].includes(protocol);
  return created(
    String(out.SubscriptionArn),
    pending ? 'pending confirmation (nothing confirms locally)' : undefined,
  );
};
