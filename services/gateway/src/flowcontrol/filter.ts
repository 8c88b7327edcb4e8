// WithPriorityAndFairness (k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go): every
// request that is not long-running (watches included, for their initialization) is classified
// into a FlowSchema and priority level and waits for a seat of that level before the rest of the
// chain runs; the seat is freed when the request finishes, or, for a watch, once its response
// starts streaming. Requests the level cannot take get kube's 429.
//
// Response headers: X-Kubernetes-PF-FlowSchema-UID and X-Kubernetes-PF-PriorityLevel-UID name
// the matched objects by UID (kube hides the names), on served and rejected requests alike.

import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import { isLongRunning } from '../filters/long-running.js';
import { writeHTTPError } from '../respond.js';
import type { RequestDigest } from './classifier.js';
import { MAX_QUEUE_WAIT_MS, type FlowController, type RequestClassification } from './controller.js';

export const FLOW_SCHEMA_UID_HEADER = 'X-Kubernetes-PF-FlowSchema-UID';
export const PRIORITY_LEVEL_UID_HEADER = 'X-Kubernetes-PF-PriorityLevel-UID';
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

export interface PriorityAndFairnessOptions {
  /** How long a request without a deadline (a watch) may wait in a queue; kube uses a quarter
   * of --request-timeout. Capped at 60 s. */
  defaultWaitLimitMs: number;
}

function setClassificationHeaders(ctx: RequestContext, c: RequestClassification): void {
  ctx.responseHeaders.set(PRIORITY_LEVEL_UID_HEADER, c.level.config.metadata.uid ?? '');
  ctx.responseHeaders.set(FLOW_SCHEMA_UID_HEADER, c.flowSchema.metadata.uid ?? '');
}

/**
 * How long the request may wait for a seat: a quarter of the time its deadline allots it
 * (counted from when it was received), else the default; never more than a minute.
 */
export function queueWaitLimitMs(ctx: RequestContext, defaultWaitLimitMs: number, nowMs = Date.now()): number {
  const limit = Math.min(ctx.deadline !== undefined ? (ctx.deadline - ctx.receivedAt) / 4 : defaultWaitLimitMs, MAX_QUEUE_WAIT_MS);
  return ctx.receivedAt + limit - nowMs;
}

export function priorityAndFairnessFilter(fc: FlowController, opts: PriorityAndFairnessOptions): NamedFilter {
  return {
    name: 'priority-and-fairness',
    async filter(ctx, next) {
      const ri = ctx.requestInfo;
      const user = ctx.user;
      if (!ri || !user) {
        writeHTTPError(ctx, 500, `Internal Server Error: ${JSON.stringify(ctx.requestURI)}`);
        return;
      }
      const isWatch = ri.verb === 'watch';
      // other long-running requests (exec, attach, proxy, logs) are not tracked at all
      if (isLongRunning(ri) && !isWatch) return next();

      const digest: RequestDigest = { user, requestInfo: ri };
      const c = fc.classify(digest);
      setClassificationHeaders(ctx, c);
      const admission = await fc.admit(c, fc.estimateSeats(digest, c.level), queueWaitLimitMs(ctx, opts.defaultWaitLimitMs), ctx.abort.signal);
      if (admission.kind === 'exempt') return next();
      if (admission.kind === 'rejected') {
        const retryAfter = fc.rejected(c.level.config.metadata.name);
        ctx.responseHeaders.set('Retry-After', String(retryAfter));
        writeHTTPError(ctx, 429, TOO_MANY_REQUESTS_MESSAGE);
        return;
      }
      // a watch holds its seat only until it streams: its initialization is what costs
      if (isWatch) ctx.onStreamStart(admission.release);
      try {
        await next();
      } finally {
        admission.release();
      }
    },
  };
}
