// WithCORS: when --cors-allowed-origins is set and a request's Origin matches one of its
// regular expressions, the response allows that origin (with credentials) and an OPTIONS
// preflight is answered 204 at once, before authentication — as kube-apiserver does.
// Requests whose origin does not match get no CORS headers (the browser then refuses them).

import type { NamedFilter } from '../chain.js';

const ALLOWED_METHODS = 'POST, GET, OPTIONS, PUT, DELETE, PATCH';
const ALLOWED_HEADERS = 'Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, X-Requested-With, If-Modified-Since';
const EXPOSED_HEADERS = 'Date';

/** Compiles the flag's patterns; a pattern that is not a valid regular expression is an error. */
export function compileAllowedOrigins(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new Error(`--cors-allowed-origins: invalid regular expression ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  });
}

export function corsFilter(allowedOrigins: readonly RegExp[]): NamedFilter {
  return {
    name: 'cors',
    filter: async (ctx, next) => {
      const origin = ctx.header('origin');
      if (origin !== '' && allowedOrigins.some((re) => re.test(origin))) {
        const h = ctx.responseHeaders;
        h.set('Access-Control-Allow-Origin', origin);
        h.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
        h.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        h.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
        h.set('Access-Control-Allow-Credentials', 'true');
        if (ctx.method === 'OPTIONS') {
          ctx.send(204, '');
          return;
        }
      }
      await next();
    },
  };
}
