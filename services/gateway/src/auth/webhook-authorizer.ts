// The Webhook authorizer (--authorization-webhook-config-file, a kubeconfig naming the remote
// service), as k8s.io/apiserver/plugin/pkg/authorizer/webhook: the request's attributes are POSTed
// as a SubjectAccessReview; status.allowed allows, status.denied denies, anything else is no
// opinion. Answers are cached per attributes — allowed ones for
// --authorization-webhook-cache-authorized-ttl (5m), the rest for
// --authorization-webhook-cache-unauthorized-ttl (30s) — in a bounded map. A call that fails is
// no opinion with the error (the filter answers 500 when nobody allows, as kube does).

import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from './authorizer.js';
import { post, type WebhookTarget } from './webhook.js';

export interface WebhookAuthorizerOptions {
  authorizedTtlMs?: number;
  unauthorizedTtlMs?: number;
  /** Answers kept at most. Default 10,000. */
  maxCached?: number;
  now?: () => number;
}

/** The SubjectAccessReview spec for a request (webhook.go's Authorize). */
export function subjectAccessReviewSpec(a: AuthorizationAttributes): Record<string, unknown> {
  const spec: Record<string, unknown> = { user: a.user.username, groups: a.user.groups ?? [] };
  if (a.user.uid) spec.uid = a.user.uid;
  if (a.user.extra && Object.keys(a.user.extra).length > 0) spec.extra = a.user.extra;
  if (a.resourceRequest) {
    spec.resourceAttributes = {
      namespace: a.namespace ?? '',
      verb: a.verb,
      group: a.apiGroup ?? '',
      version: a.apiVersion ?? '',
      resource: a.resource ?? '',
      subresource: a.subresource ?? '',
      name: a.name ?? '',
    };
  } else {
    spec.nonResourceAttributes = { path: a.path ?? '', verb: a.verb };
  }
  return spec;
}

export class WebhookAuthorizer implements Authorizer {
  private readonly cache = new Map<string, { until: number; result: AuthorizationResult }>();

  constructor(
    private readonly target: WebhookTarget,
    private readonly opts: WebhookAuthorizerOptions = {},
  ) {}

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    const spec = subjectAccessReviewSpec(a);
    const key = JSON.stringify(spec);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.result;
    const review = { apiVersion: `authorization.k8s.io/${this.target.version}`, kind: 'SubjectAccessReview', metadata: { creationTimestamp: null }, spec, status: { allowed: false } };
    let res: { status: number; body: string };
    try {
      res = await post(this.target, JSON.stringify(review));
    } catch (err) {
      return { decision: 'no-opinion', reason: '', error: `Post "${this.target.server}": ${(err as Error).message}` };
    }
    if (res.status < 200 || res.status >= 300) return { decision: 'no-opinion', reason: '', error: `webhook returned status ${res.status}` };
    let status: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
    try {
      status = ((JSON.parse(res.body) as { status?: typeof status }).status ?? {}) as typeof status;
    } catch (err) {
      return { decision: 'no-opinion', reason: '', error: `webhook response: ${(err as Error).message}` };
    }
    const result: AuthorizationResult = status.allowed
      ? { decision: 'allow', reason: status.reason ?? '' }
      : { decision: status.denied ? 'deny' : 'no-opinion', reason: status.reason ?? '' };
    const ttl = status.allowed ? (this.opts.authorizedTtlMs ?? 5 * 60_000) : (this.opts.unauthorizedTtlMs ?? 30_000);
    if (ttl > 0) {
      if (this.cache.size >= (this.opts.maxCached ?? 10_000)) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { until: now + ttl, result });
    }
    return result;
  }
}
