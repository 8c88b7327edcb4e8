// Calling storage for one request: the resource reference and user the RPCs carry, the bus
// deadline derived from the request's, kube's 34-second bound on writes, and the client's trace
// context handed on.

import { newTimeoutError, withDeadline } from '@kapi/apimachinery';
import type { Bus, ObjectReply, ResourceRef, Rpc } from '@kapi/bus';
import type { RequestContext } from '../context.js';
import type { ResourceRoute } from './resolve.js';

/** kube's requestTimeoutUpperBound: writes give up after 34s even if the request may run longer. */
export const WRITE_TIMEOUT_UPPER_BOUND_MS = 34_000;

/** Extra time the bus gets beyond the gateway's own deadline, so the gateway's timeout (with
 * kube's message) fires first and the bus cleans up after it. */
const BUS_GRACE_MS = 1_000;

/** How long a request without a deadline (none today) may wait for storage. */
const DEFAULT_STORAGE_TIMEOUT_MS = 60_000;

/** What a request is about, as storage names it. */
export function refOf(route: ResourceRoute): ResourceRef {
  return {
    group: route.info.group,
    version: route.info.version,
    resource: route.info.resource,
    namespace: route.info.namespaced ? route.namespace : '',
    name: route.name,
    subresource: route.subresource?.name ?? '',
  };
}

/**
 * One storage RPC. Writes are bounded by kube's 34s upper bound (504 "request did not complete
 * within requested timeout - context deadline exceeded", as kube's finisher says); reads by the
 * request deadline, which the timeout filter enforces.
 */
export async function callStorage<Req>(ctx: RequestContext, bus: Bus, rpc: Rpc<Req, ObjectReply>, request: Req, write: boolean): Promise<ObjectReply> {
  const remaining = ctx.remainingMs();
  const budget = Number.isFinite(remaining) ? Math.max(1, remaining) : DEFAULT_STORAGE_TIMEOUT_MS;
  const headers = traceHeaders(ctx);
  if (!write) return bus.request(rpc, request, { timeoutMs: Math.ceil(budget) + BUS_GRACE_MS, headers });
  const bound = Math.min(budget, WRITE_TIMEOUT_UPPER_BOUND_MS);
  return withDeadline(bus.request(rpc, request, { timeoutMs: Math.ceil(bound) + BUS_GRACE_MS, headers }), bound, () =>
    newTimeoutError('request did not complete within requested timeout - context deadline exceeded', 0),
  );
}

/** The client's W3C trace context, handed to the bus (which continues it with a child span and
 * drops it when invalid). */
function traceHeaders(ctx: RequestContext): Record<string, string> | undefined {
  const traceparent = ctx.header('traceparent');
  if (traceparent === '') return undefined;
  const headers: Record<string, string> = { traceparent };
  const tracestate = ctx.header('tracestate');
  if (tracestate !== '') headers.tracestate = tracestate;
  return headers;
}
