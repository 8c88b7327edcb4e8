// WithHSTS: --strict-transport-security-directives (e.g. max-age=31536000,includeSubDomains,
// preload) become one Strict-Transport-Security header on every response.

import type { NamedFilter } from '../chain.js';

/** The header value for the flag's comma-separated directives ('' when none). */
export function hstsHeaderValue(directives: readonly string[]): string {
  return directives.map((d) => d.trim()).filter((d) => d !== '').join('; ');
}

export function hstsFilter(directives: readonly string[]): NamedFilter {
  const value = hstsHeaderValue(directives);
  return {
    name: 'hsts',
    filter: async (ctx, next) => {
      ctx.responseHeaders.set('Strict-Transport-Security', value);
      await next();
    },
  };
}
