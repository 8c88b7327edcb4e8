// WithImpersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): the
// Impersonate-User, -Uid, -Group and -Extra-<key> headers replace the request's user, each one
// allowed only if the authorizer lets the requester "impersonate" it:
//   users (core), serviceaccounts (core, when the user is system:serviceaccount:<ns>:<name>),
//   groups (core), uids (authentication.k8s.io), userextras/<key> (authentication.k8s.io).
// Groups, uid or extras without a user is an error kube answers with a plain-text 500.
// The authenticated user stays on the context (ctx.authenticatedUser) for audit.

import { newForbidden, type UserInfo } from '@kapi/apimachinery';
import { forbiddenMessage, type AuthorizationAttributes, type Authorizer } from '../auth/authorizer.js';
import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import { writeHTTPError, writeStatus } from '../respond.js';

const USER_HEADER = 'impersonate-user';
const UID_HEADER = 'impersonate-uid';
const GROUP_HEADER = 'impersonate-group';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHN_GROUP_VERSION = 'authentication.k8s.io/v1';

/** One thing to impersonate: a v1.ObjectReference as kube builds them. */
export interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** UserExtra: the extra key. */
  fieldPath: string;
}

/** Go's %v of a v1.ObjectReference: its fields in order, space-separated, in braces. */
function formatReference(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

function values(headers: RequestContext['headers'], name: string): string[] {
  const v = headers[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** serviceaccount.SplitUsername: system:serviceaccount:<ns>:<name>, both parts non-empty. */
function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!username.startsWith(prefix)) return undefined;
  const parts = username.slice(prefix.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0]!, name: parts[1]! };
}

/** buildImpersonationRequests; throws the error kube reports for an incomplete set. */
export function buildImpersonationRequests(headers: RequestContext['headers']): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const requestedUser = values(headers, USER_HEADER)[0] ?? '';
  const hasUser = requestedUser.length > 0;
  if (hasUser) {
    const sa = splitServiceAccount(requestedUser);
    if (sa) out.push({ kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name, apiVersion: '', fieldPath: '' });
    else out.push({ kind: 'User', namespace: '', name: requestedUser, apiVersion: '', fieldPath: '' });
  }
  const groups = values(headers, GROUP_HEADER);
  for (const g of groups) out.push({ kind: 'Group', namespace: '', name: g, apiVersion: '', fieldPath: '' });
  let hasExtra = false;
  for (const [name, v] of Object.entries(headers)) {
    if (!name.startsWith(EXTRA_PREFIX) || v === undefined) continue;
    hasExtra = true;
    // unescapeExtraKey: keys are percent-encoded in header names (url.PathUnescape).
    let key = name.slice(EXTRA_PREFIX.length).toLowerCase();
    try {
      key = decodeURIComponent(key);
    } catch {
      // kube keeps the raw key when it does not unescape
    }
    for (const value of Array.isArray(v) ? v : [v]) out.push({ kind: 'UserExtra', namespace: '', name: value, apiVersion: AUTHN_GROUP_VERSION, fieldPath: key });
  }
  const uid = values(headers, UID_HEADER)[0] ?? '';
  if (uid.length > 0) out.push({ kind: 'UID', namespace: '', name: uid, apiVersion: AUTHN_GROUP_VERSION, fieldPath: '' });
  if ((groups.length > 0 || hasExtra || uid.length > 0) && !hasUser) {
    throw new Error(`requested [${out.map(formatReference).join(' ')}] without impersonating a user`);
  }
  return out;
}

function attributesFor(requestor: UserInfo, r: ImpersonationRequest): AuthorizationAttributes {
  const base = { user: requestor, verb: 'impersonate', resourceRequest: true, name: r.name };
  switch (r.kind) {
    case 'ServiceAccount':
      return { ...base, apiGroup: '', resource: 'serviceaccounts', namespace: r.namespace };
    case 'User':
      return { ...base, apiGroup: '', resource: 'users' };
    case 'Group':
      return { ...base, apiGroup: '', resource: 'groups' };
    case 'UserExtra':
      return { ...base, apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: r.fieldPath };
    case 'UID':
      return { ...base, apiGroup: 'authentication.k8s.io', resource: 'uids' };
  }
}

/** The impersonated user from allowed requests (the group rules of WithImpersonation). */
export function impersonatedUser(requests: readonly ImpersonationRequest[], groupsSpecified: boolean): UserInfo {
  let username = '';
  let uid = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    switch (r.kind) {
      case 'ServiceAccount':
        username = `system:serviceaccount:${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups = ['system:serviceaccounts', `system:serviceaccounts:${r.namespace}`];
        break;
      case 'User':
        username = r.name;
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        uid = r.name;
        break;
    }
  }
  if (username !== 'system:anonymous') {
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups.push('system:authenticated');
  } else if (!groups.includes('system:unauthenticated')) {
    groups.push('system:unauthenticated');
  }
  const user: UserInfo = { username, groups };
  if (uid !== '') user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

export function impersonationFilter(authorizer: Authorizer): NamedFilter {
  return {
    name: 'impersonation',
    filter: async (ctx, next) => {
      let requests: ImpersonationRequest[];
      try {
        requests = buildImpersonationRequests(ctx.headers);
      } catch (err) {
        // responsewriters.InternalError
        writeHTTPError(ctx, 500, `Internal Server Error: ${JSON.stringify(ctx.requestURI)}: ${(err as Error).message}`);
        return;
      }
      if (requests.length === 0) return next();
      const requestor = ctx.user;
      if (!requestor) {
        writeHTTPError(ctx, 500, `Internal Server Error: ${JSON.stringify(ctx.requestURI)}: no user found for request`);
        return;
      }
      for (const r of requests) {
        const attributes = attributesFor(requestor, r);
        const result = await authorizer.authorize(attributes);
        if (result.decision !== 'allow') {
          const message = forbiddenMessage(attributes) + (result.reason !== '' ? `: ${result.reason}` : '');
          writeStatus(ctx, newForbidden({ group: attributes.apiGroup ?? '', resource: attributes.resource ?? '' }, attributes.name ?? '', message).status);
          return;
        }
      }
      ctx.authenticatedUser = requestor;
      ctx.user = impersonatedUser(requests, values(ctx.headers, GROUP_HEADER).length > 0);
      // the headers are consumed here: nothing later sees them
      for (const name of Object.keys(ctx.headers)) {
        if (name === USER_HEADER || name === UID_HEADER || name === GROUP_HEADER || name.startsWith(EXTRA_PREFIX)) delete ctx.headers[name];
      }
      return next();
    },
  };
}
