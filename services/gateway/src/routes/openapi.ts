// GET /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>, answered as kube-apiserver's
// handlers answer them: k8s.io/kube-openapi/pkg/handler (v2, wrapped in gziphandler),
// pkg/handler3 (v3 index and documents) and kube-aggregator's specProxier (404 for a
// group-version nobody serves). These are plain mux handlers: no go-restful method or media
// type checks, and bodies are written with Go's http.ServeContent.

import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { RequestContext } from '../context.js';
import { parseAccept } from '../negotiation.js';
import { serverRelativeURL, type EncodedSpec, type OpenAPICache } from '../openapi-cache.js';

const V2_PROTOBUF_SUBTYPE_DEPRECATED = 'com.github.proto-openapi.spec.v2@v1.0+protobuf';
const V2_PROTOBUF_SUBTYPE = 'com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** gziphandler.DefaultMinSize: smaller responses are not compressed. */
const GZIP_MIN_SIZE = 1400;

/** Go's http.TimeFormat. */
function httpDate(d: Date): string {
  return d.toUTCString();
}

/** Go's time.RFC1123 of a UTC time ("Mon, 02 Jan 2006 15:04:05 UTC"). */
function rfc1123UTC(d: Date): string {
  return d.toUTCString().replace(/GMT$/, 'UTC');
}

/** net/http's ETag list matching for If-None-Match (weak comparison). */
function etagListMatches(header: string, etag: string): boolean {
  const strip = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);
  for (const raw of header.split(',')) {
    const t = raw.trim();
    if (t === '*') return true;
    if (strip(t) === strip(etag)) return true;
  }
  return false;
}

/**
 * http.ServeContent for an in-memory document: conditional requests (If-None-Match, else
 * If-Modified-Since) answered with 304 (or 412 for other methods), Last-Modified and
 * Accept-Ranges set. Range requests are answered with the whole document.
 */
function serveContent(ctx: RequestContext, spec: EncodedSpec, contentType: string, body: Buffer = spec.body, extra: Record<string, string> = {}): void {
  const modified = new Date(Math.floor(spec.lastModified.getTime() / 1000) * 1000);
  const etag = ctx.responseHeaders.get('Etag') ?? '';
  const isGetOrHead = ctx.method === 'GET' || ctx.method === 'HEAD';
  const ifNoneMatch = ctx.header('if-none-match');
  let notModified = false;
  if (ifNoneMatch !== '') {
    if (etag !== '' && etagListMatches(ifNoneMatch, etag)) {
      if (!isGetOrHead) {
        ctx.send(412, '');
        return;
      }
      notModified = true;
    }
  } else if (isGetOrHead) {
    const since = Date.parse(ctx.header('if-modified-since'));
    if (Number.isFinite(since) && modified.getTime() <= since) notModified = true;
  }
  if (notModified) {
    // writeNotModified: no Content-Type or length; Last-Modified only without an ETag.
    if (etag === '') ctx.responseHeaders.set('Last-Modified', httpDate(modified));
    ctx.send(304, '');
    return;
  }
  ctx.responseHeaders.set('Last-Modified', httpDate(modified));
  ctx.send(200, body, { 'Content-Type': contentType, 'Accept-Ranges': 'bytes', ...extra });
}

/** gziphandler's acceptsGzip: "gzip" listed with a non-zero q. */
function acceptsGzip(header: string): boolean {
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (name !== 'gzip') continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=(.*)$/.exec(p);
      if (m) q = Number.parseFloat(m[1]!);
    }
    if (q > 0) return true;
  }
  return false;
}

/** The first Accept clause (in preference order) matching one of `offers` (type, subtype). */
function pickOffer<T extends { type: string; subType: string }>(accept: string, offers: readonly T[]): T | undefined | 'no-clauses' {
  const clauses = parseAccept(accept === '' ? '*/*' : accept);
  if (clauses.length === 0) return 'no-clauses';
  for (const clause of clauses) {
    for (const offer of offers) {
      if (clause.type !== offer.type && clause.type !== '*') continue;
      if (clause.subType !== offer.subType && clause.subType !== '*') continue;
      return offer;
    }
  }
  return undefined;
}

/** GET /openapi/v2 (kube-openapi handler.RegisterOpenAPIVersionedService behind gziphandler). */
export async function serveOpenAPIv2(ctx: RequestContext, cache: OpenAPICache): Promise<void> {
  ctx.responseHeaders.add('Vary', 'Accept-Encoding');
  ctx.responseHeaders.add('Vary', 'Accept');
  const offers = [
    { type: 'application', subType: 'json', contentType: 'application/json', proto: false },
    { type: 'application', subType: V2_PROTOBUF_SUBTYPE_DEPRECATED, contentType: `application/${V2_PROTOBUF_SUBTYPE}`, proto: true },
    { type: 'application', subType: V2_PROTOBUF_SUBTYPE, contentType: `application/${V2_PROTOBUF_SUBTYPE}`, proto: true },
  ];
  const offer = pickOffer(ctx.header('accept'), offers);
  if (offer === undefined || offer === 'no-clauses') {
    ctx.send(406, '');
    return;
  }
  const spec = offer.proto ? cache.v2Protobuf() : cache.v2();
  ctx.responseHeaders.set('Etag', JSON.stringify(spec.etag));
  if (spec.body.length >= GZIP_MIN_SIZE && acceptsGzip(ctx.header('accept-encoding'))) {
    const body = offer.proto ? await gzipOnce(spec) : await cache.v2Gzipped();
    serveContent(ctx, spec, offer.contentType, body, { 'Content-Encoding': 'gzip' });
    return;
  }
  serveContent(ctx, spec, offer.contentType);
}

const gzip = promisify(gzipCallback);
const gzipped = new WeakMap<EncodedSpec, Promise<Buffer>>();

/** The gzip of a document's body, computed once per document. */
async function gzipOnce(spec: EncodedSpec): Promise<Buffer> {
  let p = gzipped.get(spec);
  if (!p) {
    p = gzip(spec.body, { level: 6 });
    gzipped.set(spec, p);
  }
  return p;
}

/** GET /openapi/v3 (handler3.HandleDiscovery). */
export function serveOpenAPIv3Index(ctx: RequestContext, cache: OpenAPICache): void {
  const spec = cache.v3Index();
  ctx.responseHeaders.set('Etag', JSON.stringify(spec.etag));
  serveContent(ctx, spec, 'application/json');
}

/** http.Redirect with 301 to an absolute path. */
function redirect(ctx: RequestContext, location: string): void {
  ctx.responseHeaders.set('Location', location);
  if (ctx.method === 'GET' || ctx.method === 'HEAD') {
    const escaped = location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    ctx.send(301, `<a href="${escaped}">Moved Permanently</a>.\n\n`, { 'Content-Type': 'text/html; charset=utf-8' });
    return;
  }
  ctx.send(301, '');
}

/**
 * GET /openapi/v3/<gv> (handler3.HandleGroupVersion behind the aggregator's specProxier): 404
 * for a group-version nobody serves; JSON (protobuf is not written: client-go's openapi3 and
 * kubectl ask for JSON, so a protobuf-only Accept gets 406); with ?hash= matching the document's
 * ETag the response may be cached forever, with a stale hash a 301 to the current URL.
 */
export function serveOpenAPIv3Document(ctx: RequestContext, gv: string, cache: OpenAPICache): void {
  const spec = cache.v3Document(gv);
  if (!spec) {
    ctx.send(404, '');
    return;
  }
  ctx.responseHeaders.add('Vary', 'Accept');
  const offer = pickOffer(ctx.header('accept'), [{ type: 'application', subType: 'json' }]);
  if (offer === 'no-clauses') {
    ctx.send(200, '');
    return;
  }
  if (offer === undefined) {
    ctx.send(406, '');
    return;
  }
  ctx.responseHeaders.set('Etag', JSON.stringify(spec.etag));
  const hash = ctx.query.get('hash');
  if (hash !== null && hash !== '') {
    if (hash !== spec.etag) {
      redirect(ctx, serverRelativeURL(gv, spec.etag));
      return;
    }
    ctx.responseHeaders.set('Vary', 'Accept');
    ctx.responseHeaders.set('Cache-Control', 'public, immutable');
    const expires = new Date();
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    ctx.responseHeaders.set('Expires', rfc1123UTC(expires));
  }
  serveContent(ctx, spec, 'application/json');
}
