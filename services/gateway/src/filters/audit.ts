// WithAudit (k8s.io/apiserver/pkg/endpoints/filters/audit.go): the audit policy decides a level
// per request from the authenticated user and the request's attributes; at any level but None
// the request produces audit.k8s.io/v1 events — RequestReceived at once, ResponseStarted when a
// long-running response (watch) starts, ResponseComplete at the end, Panic when the handler
// crashed — minus the omitted stages. The events carry the user, the impersonated user (set by
// the impersonation filter, which runs after this one), the verb, the object reference, the
// response code (and Status fields of a failure), timestamps, the authorization annotations, and
// at Request / RequestResponse the request / response objects.

import type { UserInfo } from '@kapi/apimachinery';
import type { AuditBackend, AuditEvent } from '../audit/backend.js';
import { evaluateAuditPolicy, type AuditPolicy, type AuditStage } from '../audit/policy.js';
import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import { isLongRunning } from './long-running.js';

/** Go's RFC3339 with microseconds, as audit timestamps are written. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function userWire(u: UserInfo | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (u?.username) out.username = u.username;
  if (u?.uid) out.uid = u.uid;
  if (u?.groups?.length) out.groups = u.groups;
  if (u?.extra && Object.keys(u.extra).length > 0) out.extra = u.extra;
  return out;
}

/** A JSON body as an object, or undefined (protobuf, YAML, empty). */
function jsonObject(body: Buffer | string | undefined): unknown {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const v = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function stripManagedFields(o: unknown): unknown {
  if (!o || typeof o !== 'object') return o;
  const obj = o as { metadata?: Record<string, unknown>; items?: unknown[] };
  const out: Record<string, unknown> = { ...obj };
  if (obj.metadata && 'managedFields' in obj.metadata) {
    const { managedFields: _m, ...rest } = obj.metadata;
    out.metadata = rest;
  }
  if (Array.isArray(obj.items)) out.items = obj.items.map(stripManagedFields);
  return out;
}

export function auditFilter(policy: AuditPolicy, backends: readonly AuditBackend[]): NamedFilter {
  const emit = (ev: AuditEvent) => {
    for (const b of backends) b.process([ev]);
  };
  return {
    name: 'audit',
    filter: async (ctx: RequestContext, next) => {
      const info = ctx.requestInfo;
      const user = ctx.user;
      const decision = evaluateAuditPolicy(policy, {
        user: user?.username ?? '',
        groups: user?.groups ?? [],
        verb: info?.verb ?? ctx.method.toLowerCase(),
        resourceRequest: info?.isResourceRequest ?? false,
        apiGroup: info?.apiGroup,
        resource: info?.resource,
        subresource: info?.subresource,
        namespace: info?.namespace,
        name: info?.name,
        path: ctx.path,
      });
      if (decision.level === 'None') return next();
      const omitted = new Set<AuditStage>(decision.omitStages);
      const level = decision.level;
      const base = (): AuditEvent => {
        const ev: AuditEvent = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID: ctx.auditId };
        return ev;
      };
      const event = (stage: AuditStage): AuditEvent => {
        const ev = base();
        ev.stage = stage;
        ev.requestURI = ctx.requestURI;
        ev.verb = info?.verb ?? ctx.method.toLowerCase();
        ev.user = userWire(ctx.authenticatedUser ?? ctx.user);
        if (ctx.authenticatedUser && ctx.user) ev.impersonatedUser = userWire(ctx.user);
        ev.sourceIPs = [ctx.raw.socket?.remoteAddress ?? ''].filter((x) => x !== '');
        const agent = ctx.header('user-agent');
        if (agent) ev.userAgent = agent;
        if (info?.isResourceRequest) {
          const ref: Record<string, unknown> = { resource: info.resource };
          if (info.namespace) ref.namespace = info.namespace;
          if (info.name) ref.name = info.name;
          if (info.apiGroup) ref.apiGroup = info.apiGroup;
          if (info.apiVersion) ref.apiVersion = info.apiVersion;
          if (info.subresource) ref.subresource = info.subresource;
          ev.objectRef = ref;
        }
        if (stage !== 'RequestReceived' && ctx.responseCode !== undefined) {
          const status: Record<string, unknown> = { metadata: {}, code: ctx.responseCode };
          if (ctx.responseCode >= 400) {
            const s = jsonObject(ctx.responseBody) as { status?: string; message?: string; reason?: string } | undefined;
            if (s?.status) status.status = s.status;
            if (s?.message) status.message = s.message;
            if (s?.reason) status.reason = s.reason;
          }
          ev.responseStatus = status;
        }
        if (level === 'Request' || level === 'RequestResponse') {
          const req = jsonObject(ctx.requestBody);
          if (req !== undefined) ev.requestObject = decision.omitManagedFields ? stripManagedFields(req) : req;
        }
        if (level === 'RequestResponse' && stage === 'ResponseComplete') {
          const res = jsonObject(ctx.responseBody);
          if (res !== undefined) ev.responseObject = decision.omitManagedFields ? stripManagedFields(res) : res;
        }
        ev.requestReceivedTimestamp = microTime(ctx.receivedAt);
        ev.stageTimestamp = microTime(Date.now());
        if (Object.keys(ctx.auditAnnotations).length > 0) ev.annotations = { ...ctx.auditAnnotations };
        return ev;
      };
      if (!omitted.has('RequestReceived')) emit(event('RequestReceived'));
      if (isLongRunning(info) && !omitted.has('ResponseStarted')) ctx.onStreamStart(() => emit(event('ResponseStarted')));
      try {
        await next();
      } catch (err) {
        if (!omitted.has('Panic')) {
          const ev = event('Panic');
          ev.responseStatus = { metadata: {}, code: 500, status: 'Failure', message: `APIServer panic'd: ${err instanceof Error ? err.message : String(err)}` };
          emit(ev);
        }
        throw err;
      }
      if (!omitted.has('ResponseComplete')) emit(event('ResponseComplete'));
    },
  };
}
