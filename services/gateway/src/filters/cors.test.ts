import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compileAllowedOrigins, corsFilter } from './cors.js';
import { hstsHeaderValue } from './hsts.js';
import { RequestContext } from '../context.js';

function ctx(method: string, origin: string) {
  const sent: { code: number; headers: Record<string, string | string[]> }[] = [];
  const c = new RequestContext({
    method,
    requestURI: '/api',
    path: '/api',
    query: new URLSearchParams(),
    headers: origin ? { origin } : {},
    raw: {} as never,
    sink: { sent: false, send: (code, headers) => (sent.push({ code, headers }), true) },
  });
  return { c, sent };
}

it('allows matching origins, answers their preflight 204, and ignores others', async () => {
  const filter = corsFilter(compileAllowedOrigins(['^https://ui\\.example\\.com$'])).filter;
  let reached = 0;
  const next = async () => void reached++;
  const ok = ctx('GET', 'https://ui.example.com');
  await filter(ok.c, next);
  assert.equal(reached, 1);
  assert.equal(ok.c.responseHeaders.get('Access-Control-Allow-Origin'), 'https://ui.example.com');
  assert.equal(ok.c.responseHeaders.get('Access-Control-Allow-Credentials'), 'true');
  const preflight = ctx('OPTIONS', 'https://ui.example.com');
  await filter(preflight.c, next);
  assert.equal(reached, 1);
  assert.equal(preflight.sent[0]?.code, 204);
  const other = ctx('GET', 'https://evil.example.com');
  await filter(other.c, next);
  assert.equal(other.c.responseHeaders.has('Access-Control-Allow-Origin'), false);
  assert.throws(() => compileAllowedOrigins(['(']), /invalid regular expression/);
});

it('joins HSTS directives as kube writes the header', () => {
  assert.equal(hstsHeaderValue(['max-age=31536000', 'includeSubDomains', 'preload']), 'max-age=31536000; includeSubDomains; preload');
});
