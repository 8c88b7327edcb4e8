// WithPanicRecovery: an unexpected exception anywhere inside answers 500 with kube's text and is
// logged; the process keeps serving. A StatusError that escapes a handler is still answered as
// the Status it carries (handlers normally write their own).

import { isStatusError } from '@kapi/apimachinery';
import type { NamedFilter } from '../chain.js';
import type { GatewayLogger } from '../logger.js';
import { writeHTTPError, writeStatus } from '../respond.js';

export const PANIC_MESSAGE = 'This request caused apiserver to panic. Look in the logs for details.';

export function panicRecoveryFilter(log: GatewayLogger): NamedFilter {
  return {
    name: 'panic-recovery',
    filter: async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        if (ctx.responded) {
          log.error('error after the response was sent', { auditID: ctx.auditId, err });
          return;
        }
        if (isStatusError(err)) {
          writeStatus(ctx, err.status);
          return;
        }
        log.error('recovered from a handler failure', { auditID: ctx.auditId, method: ctx.method, uri: ctx.requestURI, err });
        writeHTTPError(ctx, 500, PANIC_MESSAGE);
      }
    },
  };
}
