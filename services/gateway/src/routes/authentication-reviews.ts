// The authentication.k8s.io/v1 review resources the gateway serves itself, because they need
// its authenticator (kube: pkg/registry/authentication/tokenreview and selfsubjectreview):
//  - TokenReview create: authenticates spec.token for spec.audiences (default: the API
//    audiences) with the bearer-token authenticators and reports the user;
//  - SelfSubjectReview create: reports the requesting user (after impersonation).
// Both answer 201 with the object; nothing is stored.

import { newBadRequest, type UserInfo } from '@kapi/apimachinery';
import type { Authentication } from '../auth/authentication-config.js';
import { intersectAudiences } from '../auth/token.js';
import type { RequestContext } from '../context.js';
import type { ResourceHandlerDeps } from './resources.js';
import type { ResourceRoute } from './resolve.js';
import { readReview } from './review-io.js';

const GROUP = 'authentication.k8s.io';

/** Whether the gateway serves this route itself (create of tokenreviews / selfsubjectreviews). */
export function isAuthenticationReview(route: ResourceRoute, method: string): boolean {
  return method === 'POST' && route.info.group === GROUP && !route.subresource && (route.info.resource === 'tokenreviews' || route.info.resource === 'selfsubjectreviews');
}

/** authentication.UserInfo as the API writes it (empty fields omitted). */
export function userInfoWire(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (user.username) out.username = user.username;
  if (user.uid) out.uid = user.uid;
  if (user.groups && user.groups.length > 0) out.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length > 0) out.extra = user.extra;
  return out;
}

function withAuthenticated(user: UserInfo): UserInfo {
  const groups = user.groups ?? [];
  return groups.includes('system:authenticated') ? user : { ...user, groups: [...groups, 'system:authenticated'] };
}

/** TokenReviewStatus as kube writes it: authenticated (omitted when false), user (always, {}
 * when nobody), audiences, error (omitted when empty) — in that order. */
function reviewStatus(authenticated: boolean, user: UserInfo | undefined, audiences: readonly string[], error: string): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  if (authenticated) status.authenticated = true;
  status.user = user ? userInfoWire(user) : {};
  if (audiences.length > 0) status.audiences = [...audiences];
  if (error !== '') status.error = error;
  return status;
}

/** pkg/registry/authentication/tokenreview REST.Create. */
async function tokenReviewStatus(spec: Record<string, unknown>, authn: Authentication): Promise<Record<string, unknown>> {
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (token === '') throw newBadRequest('token is required for TokenReview in authentication');
  const specAuds = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  const auds = specAuds.length > 0 ? specAuds : authn.apiAudiences;
  const r = await authn.tokens.authenticateToken(token, auds);
  // the bearer-token authenticator's default error when nobody recognised the token
  if (r.kind === 'error') return reviewStatus(false, undefined, [], r.reason);
  if (r.kind === 'none') return reviewStatus(false, undefined, [], 'invalid bearer token');
  const tokenAuds = r.audiences.length > 0 ? r.audiences : auds;
  if (auds.length > 0 && intersectAudiences(auds, tokenAuds).length === 0) {
    // badAuthenticatorAuds
    return reviewStatus(false, undefined, [], 'Internal error occurred: error validating audiences');
  }
  return reviewStatus(true, withAuthenticated(r.user), tokenAuds, '');
}

export async function serveAuthenticationReview(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps, authn: Authentication): Promise<void> {
  const review = await readReview(ctx, route, deps);
  const apiVersion = `${GROUP}/${route.info.version}`;
  if (route.info.resource === 'tokenreviews') {
    const spec = review.spec;
    await review.reply({ kind: route.info.kind, apiVersion, metadata: { ...review.metadata, creationTimestamp: null }, spec, status: await tokenReviewStatus(spec, authn) });
    return;
  }
  const user = ctx.user ?? { username: '' };
  await review.reply({
    kind: route.info.kind,
    apiVersion,
    metadata: { creationTimestamp: new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    status: { userInfo: userInfoWire(user) },
  });
}
