import type { LocalCloud } from '../../cloud.ts';

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  /** Email and HTTP endpoints must confirm; nothing confirms locally, so they stay pending. */
  pendingConfirmation: boolean;
  attributes: Record<string, string>;
}

export interface Topic {
  arn: string;
  name: string;
  region: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

/** One delivery attempt of a published message to a subscription. */
export interface SnsDelivery {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  status: 'DELIVERED' | 'PENDING_CONFIRMATION' | 'FAILED';
  error?: string;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  publishedAt: string;
  deliveries: SnsDelivery[];
}

export interface SnsStore {
  topics: Map<string, Topic>;
  subscriptions: Map<string, Subscription>;
  published: PublishedMessage[];
}

export const snsStore = (cloud: LocalCloud): SnsStore =>
  cloud.store('sns', () => ({ topics: new Map(), subscriptions: new Map(), published: [] }));

export const topicArn = (cloud: LocalCloud, region: string, name: string) =>
  `arn:aws:sns:${region}:${cloud.accountId}:${name}`;
