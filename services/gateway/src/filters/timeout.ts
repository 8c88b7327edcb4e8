// WithTimeoutForNonLongRunningRequests: when the deadline passes before the handler answered, the
// client gets kube's 504 at once and the handler's later answer is dropped. The body is what kube
// writes there: the Status encoded without kind/apiVersion, sniffed by Go as text/plain.

import type { NamedFilter } from '../chain.js';
import type { GatewayLogger } from '../logger.js';

/** The body kube's timeout handler writes (json.Encoder of the bare ErrStatus). */
export const TIMEOUT_BODY =
  JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: 'Timeout: request did not complete within the allotted timeout',
    reason: 'Timeout',
    details: {},
    code: 504,
  }) + '\n';

export function timeoutFilter(log: GatewayLogger): NamedFilter {
  return {
    name: 'timeout',
    filter: async (ctx, next) => {
      if (ctx.deadline === undefined) {
        await next();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), Math.max(0, ctx.deadline! - Date.now()));
      });
      const work = next().then(() => 'done' as const);
      try {
        const outcome = await Promise.race([work, expired]);
        if (outcome === 'expired') {
          ctx.abort.abort(new Error('request deadline exceeded'));
          ctx.send(504, TIMEOUT_BODY, { 'Content-Type': 'text/plain; charset=utf-8' });
          work.catch((err: unknown) => log.error('request failed after its timeout', { auditID: ctx.auditId, err }));
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
