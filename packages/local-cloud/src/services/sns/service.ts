import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { QueryParams } from '../../protocol/query.ts';
import { escapeXml, list, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';
import { findTopic, publish } from './publish.ts';
import { snsStore, type Topic, topicArn } from './store.ts';

/**
 * A minimal SNS (query protocol, `Action=…&Version=2010-03-31`): topics, subscriptions and
 * Publish. Published messages are recorded for reading back through the control API's
 * state and fanned out to SQS and Lambda subscribers; email subscriptions stay pending
 * confirmation, since nobody can click the link.
 */
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC_NAME = /^[\w-]{1,256}$/;

const invalid = (message: string) => new AwsError('InvalidParameter', `Invalid parameter: ${message}`);
const subscriptionNotFound = () => new AwsError('NotFound', 'Subscription does not exist', 404);

/** `Attributes.entry.N.key` / `.value` pairs (the query protocol's map encoding). */
const mapParam = (params: QueryParams, name: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 1; ; i++) {
    const key = params.get(`${name}.entry.${i}.key`);
    if (key === undefined) return out;
    out[key] = params.get(`${name}.entry.${i}.value`) ?? '';
  }
};

const entries = (map: Record<string, string>) =>
  list(
    'entry',
    Object.entries(map).map(([key, value]) => ({ key, value })),
  );

const topicAttributes = (cloud: LocalCloud, topic: Topic): Record<string, string> => {
  const subs = [...snsStore(cloud).subscriptions.values()].filter((s) => s.topicArn === topic.arn);
  return {
    TopicArn: topic.arn,
    Owner: cloud.accountId,
    DisplayName: '',
    SubscriptionsConfirmed: String(subs.filter((s) => !s.pendingConfirmation).length),
    SubscriptionsPending: String(subs.filter((s) => s.pendingConfirmation).length),
    SubscriptionsDeleted: '0',
    ...topic.attributes,
  };
};

type Action = (cloud: LocalCloud, region: string, params: QueryParams) => XmlObject | undefined;

const createTopic: Action = (cloud, region, params) => {
  const name = params.required('Name');
  if (!TOPIC_NAME.test(name)) throw invalid('Topic Name');
  const arn = topicArn(cloud, region, name);
  const store = snsStore(cloud);
  const attributes = mapParam(params, 'Attributes');
  const existing = store.topics.get(arn);
  if (existing) {
    // CreateTopic is idempotent; different attributes are a conflict, as on AWS.
    for (const [k, v] of Object.entries(attributes))
      if (existing.attributes[k] !== undefined && existing.attributes[k] !== v)
        throw invalid('Attributes Reason: Topic already exists with different attributes');
    Object.assign(existing.attributes, attributes);
    return { TopicArn: arn };
  }
  store.topics.set(arn, { arn, name, region, attributes, tags: {} });
  return { TopicArn: arn };
};

const deleteTopic: Action = (cloud, _region, params) => {
  const arn = params.required('TopicArn');
  const store = snsStore(cloud);
  store.topics.delete(arn);
  for (const [key, s] of store.subscriptions) if (s.topicArn === arn) store.subscriptions.delete(key);
  return undefined;
};

const listTopics: Action = (cloud, region) => ({
  Topics: list(
    'member',
    [...snsStore(cloud).topics.values()].filter((t) => t.region === region).map((t) => ({ TopicArn: t.arn })),
  ),
});

const getTopicAttributes: Action = (cloud, _region, params) => ({
  Attributes: entries(topicAttributes(cloud, findTopic(cloud, params.required('TopicArn')))),
});

const setTopicAttributes: Action = (cloud, _region, params) => {
  const topic = findTopic(cloud, params.required('TopicArn'));
  topic.attributes[params.required('AttributeName')] = params.get('AttributeValue') ?? '';
  return undefined;
};

const CONFIRMED_PROTOCOLS = new Set(['sqs', 'lambda', 'application', 'firehose']);
const PROTOCOLS = new Set([...CONFIRMED_PROTOCOLS, 'email', 'email-json', 'http', 'https', 'sms']);

const subscribe: Action = (cloud, _region, params) => {
  const topic = findTopic(cloud, params.required('TopicArn'));
  const protocol = params.required('Protocol');
  if (!PROTOCOLS.has(protocol)) throw invalid(`Invalid protocol type: ${protocol}`);
  const endpoint = params.get('Endpoint') ?? '';
  if (endpoint === '') throw invalid('Endpoint');
  const store = snsStore(cloud);
  const existing = [...store.subscriptions.values()].find(
    (s) => s.topicArn === topic.arn && s.protocol === protocol && s.endpoint === endpoint,
  );
  const subscription = existing ?? {
    arn: `${topic.arn}:${randomUUID()}`,
    topicArn: topic.arn,
    protocol,
    endpoint,
    pendingConfirmation: !CONFIRMED_PROTOCOLS.has(protocol),
    attributes: mapParam(params, 'Attributes'),
  };
  store.subscriptions.set(subscription.arn, subscription);
  const reveal = params.bool('ReturnSubscriptionArn') ?? false;
  return {
    SubscriptionArn: subscription.pendingConfirmation && !reveal ? 'pending confirmation' : subscription.arn,
  };
};

const unsubscribe: Action = (cloud, _region, params) => {
  const arn = params.required('SubscriptionArn');
  if (!snsStore(cloud).subscriptions.delete(arn)) throw subscriptionNotFound();
  return undefined;
};

const listSubscriptionsByTopic: Action = (cloud, _region, params) => {
  const topic = findTopic(cloud, params.required('TopicArn'));
  return {
    Subscriptions: list(
      'member',
      [...snsStore(cloud).subscriptions.values()]
        .filter((s) => s.topicArn === topic.arn)
        .map((s) => ({
          SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
          Owner: cloud.accountId,
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          TopicArn: s.topicArn,
        })),
    ),
  };
};

const publishAction: Action = (cloud, _region, params) => {
  const topic = findTopic(cloud, params.get('TopicArn') ?? params.required('TargetArn'));
  const message = params.required('Message');
  if (Buffer.byteLength(message) > 256 * 1024) throw invalid('Message too long');
  return { MessageId: publish(cloud, topic, message, params.get('Subject')).messageId };
};

const ACTIONS: Record<string, Action> = {
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  ListTopics: listTopics,
  GetTopicAttributes: getTopicAttributes,
  SetTopicAttributes: setTopicAttributes,
  Subscribe: subscribe,
  Unsubscribe: unsubscribe,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  Publish: publishAction,
};

export const snsService: LocalService = {
  name: 'sns',
  route(req: LocalRequest, cloud: LocalCloud) {
    const params = QueryParams.parse(req.body.toString('utf8'), req.query);
    const action = params.get('Action') ?? '';
    const handler = ACTIONS[action];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    return {
      action,
      run: (): LocalResponse => {
        const result = handler(cloud, req.region, params);
        return {
          status: 200,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': req.requestId },
          body: xmlDocument(
            `${action}Response`,
            {
              ...(result ? { [`${action}Result`]: result } : {}),
              ResponseMetadata: { RequestId: req.requestId },
            },
            XMLNS,
          ),
        };
      },
    };
  },
  renderError: (error: AwsError, req: LocalRequest): LocalResponse => ({
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': req.requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${req.requestId}</RequestId></ErrorResponse>`,
  }),
  dump(cloud) {
    const store = snsStore(cloud);
    return {
      topics: [...store.topics.values()].map((t) => ({ ...t, attributes: topicAttributes(cloud, t) })),
      subscriptions: [...store.subscriptions.values()],
      published: store.published,
    };
  },
};
