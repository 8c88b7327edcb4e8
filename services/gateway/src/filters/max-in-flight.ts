// WithMaxInFlightLimit: what kube-apiserver does instead of priority and fairness when that is
// turned off (--enable-priority-and-fairness=false): at most --max-requests-inflight read-only and
// --max-mutating-requests-inflight mutating requests at once (0: no limit); one more is refused
// at once with 429 and Retry-After: 1. Long-running requests (watch, proxy) do not count, and
// system:masters is never refused.

import type { NamedFilter } from '../chain.js';
import { TOO_MANY_REQUESTS_MESSAGE } from '../flowcontrol/filter.js';
import { writeHTTPError } from '../respond.js';
import { isLongRunning } from './long-running.js';

const MUTATING_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export function maxInFlightFilter(maxReadOnly: number, maxMutating: number): NamedFilter {
  let readOnly = 0;
  let mutating = 0;
  return {
    name: 'priority-and-fairness',
    filter: async (ctx, next) => {
      if (isLongRunning(ctx.requestInfo) || (ctx.user?.groups ?? []).includes('system:masters')) return next();
      const isMutating = MUTATING_VERBS.has(ctx.requestInfo?.verb ?? '');
      const limit = isMutating ? maxMutating : maxReadOnly;
      if (limit > 0 && (isMutating ? mutating : readOnly) >= limit) {
        ctx.responseHeaders.set('Retry-After', '1');
        writeHTTPError(ctx, 429, TOO_MANY_REQUESTS_MESSAGE);
        return;
      }
      if (isMutating) mutating++;
      else readOnly++;
      try {
        await next();
      } finally {
        if (isMutating) mutating--;
        else readOnly--;
      }
    },
  };
}
