// WithCacheControl: API responses must not be cached by shared caches. Set unless a handler sets
// its own.

import type { NamedFilter } from '../chain.js';

export function cacheControlFilter(): NamedFilter {
  return {
    name: 'cache-control',
    filter: async (ctx, next) => {
      if (!ctx.responseHeaders.has('Cache-Control')) ctx.responseHeaders.set('Cache-Control', 'no-cache, private');
      await next();
    },
  };
}
