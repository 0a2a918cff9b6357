import { SecretUnavailableError } from '../../shared/aws/errors.ts';
import { createS3InventoryAdapter } from '../../shared/aws/s3-inventory.ts';
import {
  createSecretsAdapter,
  type SecretRef,
  type SecretsPort,
  secretRefName,
} from '../../shared/aws/secrets.ts';
import type { Site } from '../../shared/config/sites.ts';
import { MalformedEventError } from '../../shared/invalidation-service/errors.ts';
import {
  FunctionUrlEventSchema,
  type HttpResponse,
  header,
  jsonResponse,
  rawBody,
} from '../../shared/invalidation-service/function-url.ts';
import {
  parsePushPayload,
  pushToChangeSets,
  signedBodyDigest,
} from '../../shared/invalidation-service/github.ts';
import { verifyGithubSignature } from '../../shared/invalidation-service/github-signature.ts';
import {
  invocation,
  recordInvalidationFailure,
  tagDeploy,
} from '../../shared/invalidation-service/observability.ts';
import { RecentIds } from '../../shared/invalidation-service/recent.ts';
import type { InvalidationDeps } from '../../shared/invalidation-service/runtime.ts';
import { submitChangeSet } from '../../shared/invalidation-service/submit.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { invalidationDeps, invalidationEnv } from '../../shared/lambda/invalidation-deps.ts';

/** Below Lambda's 6 MB synchronous payload limit; a push with 20 commits is far smaller. */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/**
 * GitHub gives the webhook 10 s: list at most ~20 pages of 1,000 keys (a second or two); larger
 * sites are planned with the estimate.
 */
export const WEBHOOK_INVENTORY_MAX_KEYS = 20_000;

export interface WebhookDeps extends InvalidationDeps {
  secrets: SecretsPort;
  recentRequests: RecentIds;
}

/** The sites a signature check can unlock, grouped by their secret. */
const sitesBySecret = (sites: readonly Site[]): { ref: SecretRef; sites: Site[] }[] => {
  const groups = new Map<string, { ref: SecretRef; sites: Site[] }>();
  for (const site of sites) {
    const ref = site.repo?.webhookSecret;
    if (!ref) continue;
    const group = groups.get(secretRefName(ref)) ?? { ref, sites: [] };
    group.sites.push(site);
    groups.set(secretRefName(ref), group);
  }
  return [...groups.values()];
};

/** Sites whose webhook secret produced this signature; empty when none did. */
const verifiedSites = async (deps: WebhookDeps, body: Buffer, signature: string): Promise<Site[]> => {
  for (const group of sitesBySecret(deps.sites)) {
    const secret = await deps.secrets.get(group.ref);
    if (verifyGithubSignature(body, signature, secret)) return group.sites;
  }
  return [];
};

type FunctionUrlRequest = ReturnType<typeof FunctionUrlEventSchema.parse>;
/** A step either answers the request now or hands its result to the next one. */
type Step<T> = { response: HttpResponse } | { value: T };

const answer = (response: HttpResponse): { response: HttpResponse } => ({ response });

function readRequest(event: unknown): Step<{ request: FunctionUrlRequest; body: Buffer }> {
  const parsedEvent = FunctionUrlEventSchema.safeParse(event);
  if (!parsedEvent.success) return answer(jsonResponse(400, { message: 'not a Function URL request' }));
  const request = parsedEvent.data;
  const method = request.requestContext?.http.method ?? 'POST';
  if (method !== 'POST') return answer(jsonResponse(405, { message: 'use POST' }));
  const body = rawBody(request);
  if (body.length > MAX_WEBHOOK_BODY_BYTES)
    return answer(jsonResponse(413, { message: `body over ${MAX_WEBHOOK_BODY_BYTES} bytes` }));
  return { value: { request, body } };
}

async function authenticate(
  deps: WebhookDeps,
  request: FunctionUrlRequest,
  body: Buffer,
  delivery: string,
): Promise<Step<Site[]>> {
  const signature = header(request, 'x-hub-signature-256');
  let sites: Site[] = [];
  try {
    if (signature) sites = await verifiedSites(deps, body, signature);
  } catch (error) {
    if (!(error instanceof SecretUnavailableError)) throw error;
    deps.logger.error('cannot verify webhook: secret unavailable', { delivery, error });
    return answer(jsonResponse(500, { message: 'webhook secret unavailable' }));
  }
  if (sites.length > 0) return { value: sites };
  deps.logger.warn('webhook rejected: missing or invalid X-Hub-Signature-256', {
    delivery,
    signed: Boolean(signature),
  });
  return answer(jsonResponse(401, { message: 'invalid signature' }));
}

/** Only pushes are invalidated; a ping is answered, any other event acknowledged and ignored. */
function nonPushAnswer(request: FunctionUrlRequest): HttpResponse | undefined {
  const eventType = header(request, 'x-github-event');
  if (eventType === 'ping') return jsonResponse(200, { message: 'pong' });
  if (eventType !== 'push') return jsonResponse(202, { message: `ignored ${eventType ?? 'unnamed'} event` });
  return undefined;
}

function readPush(
  deps: WebhookDeps,
  request: FunctionUrlRequest,
  body: Buffer,
  delivery: string,
): Step<ReturnType<typeof parsePushPayload>> {
  try {
    return { value: parsePushPayload(body, header(request, 'content-type')) };
  } catch (error) {
    if (!(error instanceof MalformedEventError)) throw error;
    deps.logger.error('malformed push payload', { delivery, error });
    return answer(jsonResponse(400, { message: error.message }));
  }
}

/** One invalidation per change set; the first failure answers 502 and records the failure metric. */
async function submitPush(
  deps: WebhookDeps,
  changeSets: ReturnType<typeof pushToChangeSets>['changeSets'],
  sites: readonly Site[],
  delivery: string,
): Promise<Step<unknown[]>> {
  const { logger } = deps;
  const deploys = [];
  try {
    for (const changeSet of changeSets) {
      if (changeSet.reason)
        logger.warn('falling back to broad paths', { site: changeSet.site, reason: changeSet.reason });
      const site = sites.find((s) => s.name === changeSet.site);
      if (!site) continue;
      tagDeploy(logger, changeSet);
      // GitHub waits 10 s for an answer: never wait for completion here.
      const summary = await submitChangeSet(changeSet, site, deps, {
        waitForCompletionSeconds: 0,
        inventoryMaxKeys: WEBHOOK_INVENTORY_MAX_KEYS,
      });
      deploys.push({
        site: summary.site,
        deployId: summary.deployId,
        pathsBilled: summary.pathsBilled,
        deferred: summary.distributions.reduce((n, d) => n + d.deferrals, 0),
        notInvalidated: summary.ignoredKeys,
      });
    }
  } catch (error) {
    logger.error('webhook invalidation failed', { delivery, error });
    recordInvalidationFailure(deps.metrics);
    return answer(
      jsonResponse(502, { message: error instanceof Error ? error.message : 'invalidation failed' }),
    );
  }
  return { value: deploys };
}

/**
 * GitHub push webhook on a Function URL (auth NONE: the signature is the authentication).
 * Order matters: size, then signature — nothing is parsed, looked up or submitted for an
 * unsigned request — then event type, delivery dedupe, payload, submission.
 */
export const makeHandler =
  (deps: WebhookDeps) =>
  (event: unknown): Promise<HttpResponse> =>
    invocation(deps, async () => {
      const { logger } = deps;
      const read = readRequest(event);
      if ('response' in read) return read.response;
      const { request, body } = read.value;
      const delivery = header(request, 'x-github-delivery') ?? '';
      const signed = await authenticate(deps, request, body, delivery);
      if ('response' in signed) return signed.response;
      const ignored = nonPushAnswer(request);
      if (ignored) return ignored;
      // Deduped by the signed body, never by X-GitHub-Delivery: that header is not signed, so a
      // replay can carry any delivery id; it is only logged.
      const signedRequest = signedBodyDigest(body);
      if (deps.recentRequests.has(signedRequest)) {
        logger.info('webhook request already processed', { delivery });
        return jsonResponse(200, { message: 'duplicate delivery', delivery });
      }
      const push = readPush(deps, request, body, delivery);
      if ('response' in push) return push.response;
      tagDeploy(logger, { deployId: push.value.after });
      const { changeSets, skipped } = pushToChangeSets(push.value, signed.value, body);
      for (const skip of skipped) logger.info('push not invalidated', { delivery, ...skip });
      const deploys = await submitPush(deps, changeSets, signed.value, delivery);
      if ('response' in deploys) return deploys.response;
      deps.recentRequests.add(signedRequest);
      return jsonResponse(200, { delivery, deploys: deploys.value, skipped });
    });

export const handler = lambdaHandler({
  name: 'github-webhook',
  env: invalidationEnv,
  deps: (env, observability) => ({
    ...invalidationDeps(env, observability),
    inventory: createS3InventoryAdapter(),
    secrets: createSecretsAdapter(),
    recentRequests: new RecentIds(),
  }),
  handler: makeHandler,
});
