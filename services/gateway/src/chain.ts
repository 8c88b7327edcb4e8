// The filter chain: an ordered list of named filters, outermost first, in kube-apiserver's order
// (DefaultBuildHandlerChain read from the outside in). Filters a later issue adds (HSTS, CORS,
// audit, impersonation, priority and fairness, authorization, ...) are inserted by name relative
// to the ones already here, so the existing ones never move.

import type { RequestContext } from './context.js';

/** Runs the rest of the chain. */
export type Next = () => Promise<void>;

/** One stage: may answer the request itself (and not call next), or wrap the rest. */
export type Filter = (ctx: RequestContext, next: Next) => Promise<void>;

export interface NamedFilter {
  name: string;
  filter: Filter;
}

/** The names of the stages, in order, that kube-apiserver has and kapi implements or plans.
 * Only some are present today; the rest document where their filters go. */
export const KUBE_FILTER_ORDER = [
  'audit-init', // WithAuditInit: Audit-Id
  'panic-recovery', // WithPanicRecovery
  'request-info', // WithRequestInfo (+ received timestamp)
  'latency-tracking', // WithLatencyTrackers
  'hsts', // WithHSTS
  'cache-control', // WithCacheControl
  'deadline', // WithRequestDeadline
  'timeout', // WithTimeoutForNonLongRunningRequests
  'warnings', // WithWarningRecorder
  'cors', // WithCORS
  'authentication', // WithAuthentication
  'audit', // WithAudit
  'impersonation', // WithImpersonation
  'priority-and-fairness', // WithPriorityAndFairness / WithMaxInFlightLimit
  'authorization', // WithAuthorization
  'route', // the director: resources, aggregated APIs, non-resource paths
] as const;

/** Composes filters into one function; `filters[0]` runs first. */
export function compose(filters: readonly NamedFilter[]): (ctx: RequestContext) => Promise<void> {
  const fns = filters.map((f) => f.filter);
  return (ctx) => {
    const run = (i: number): Promise<void> => {
      const fn = fns[i];
      if (!fn) return Promise.resolve();
      return fn(ctx, () => run(i + 1));
    };
    return run(0);
  };
}

/**
 * Inserts `filter` into `chain` at its place in KUBE_FILTER_ORDER (before the first present
 * filter that comes after it). Throws for an unknown name or a name already present.
 */
export function insertFilter(chain: readonly NamedFilter[], filter: NamedFilter): NamedFilter[] {
  const order = KUBE_FILTER_ORDER as readonly string[];
  const rank = order.indexOf(filter.name);
  if (rank < 0) throw new Error(`unknown filter stage ${filter.name}`);
  if (chain.some((f) => f.name === filter.name)) throw new Error(`filter stage ${filter.name} is already in the chain`);
  const out = [...chain];
  const at = out.findIndex((f) => order.indexOf(f.name) > rank);
  out.splice(at < 0 ? out.length : at, 0, filter);
  return out;
}
