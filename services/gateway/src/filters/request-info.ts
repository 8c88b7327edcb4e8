// WithRequestInfo: parses what the request is about once, for every later filter and handler. A
// path kube cannot parse (/api/v1/watch) is answered the way kube answers it: a plain-text 500.

import { goQuote } from '@kapi/apimachinery';
import type { NamedFilter } from '../chain.js';
import { newRequestInfo, RequestInfoError } from '../request-info.js';
import { writeHTTPError } from '../respond.js';

/** responsewriters.InternalError's sanitizer: & < > escaped as HTML entities. */
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function requestInfoFilter(): NamedFilter {
  return {
    name: 'request-info',
    filter: async (ctx, next) => {
      try {
        ctx.requestInfo = newRequestInfo(ctx.method, ctx.path, ctx.query, ctx.requestURI);
      } catch (err) {
        if (!(err instanceof RequestInfoError)) throw err;
        const text = `Internal Server Error: ${goQuote(ctx.requestURI)}: failed to create RequestInfo: ${err.message}`;
        writeHTTPError(ctx, 500, sanitize(text));
        return;
      }
      await next();
    },
  };
}
