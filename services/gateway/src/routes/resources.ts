// The resource handlers: kube-apiserver's GetResource, ListResource, CreateResource,
// UpdateResource, PatchResource, DeleteResource and DeleteCollection, with storage reached over
// the bus. Each performs its checks in kube's order (negotiation, body, options, decoding) so
// a request that is wrong in several ways gets the same error kube gives, then calls one storage
// RPC and writes the reply through transformResponseObject.
//
// Checks every storage caller needs are storage's alone, so each is made in one place: the
// object's namespace and name against the URL (EnsureObjectNamespaceMatchesRequestNamespace,
// checkName) and whether storage applies a PATCH's type.

import { checkGoJSON, newBadRequest, newMethodNotSupported } from '@kapi/apimachinery';
import { CacheRpc, StorageRpc, type Bus, userInfoToMsg } from '@kapi/bus';
import type { Catalogue } from '@kapi/schema';
import { readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { decodeObjectBody, type GroupVersionKind } from '../decode.js';
import { negotiateInputSerializer, negotiateOutputMediaType, YAML_MEDIA_TYPE, type NegotiatedOutput } from '../negotiation.js';
import { decodeProtobufDeleteOptions, isProtobuf, serializersForKind } from '../protobuf.js';
import { decodeGetOptions, decodeListOptions, decodeWriteOptions, type DecodedListOptions } from '../options.js';
import { deleteOptionsFromBody, deleteOptionsFromQuery, finishDeleteOptions, type RawDeleteOptions } from '../delete-options.js';
import type { ColumnProviderLookup } from '../table.js';
import { YAMLDecodeError } from '../yaml-codec.js';
import type { YAMLOffload } from '../yaml-offload.js';
import type { ResourceRoute } from './resolve.js';
import type { WatchFeeds } from '../watch/feed.js';
import { serveWatch } from '../watch/serve-watch.js';
import { callStorage, refOf } from './storage-call.js';
import { readThroughCache } from './read-call.js';
import { resourceRestrictions, writeResourceReply, type TransformScope } from './transform.js';

export interface ResourceHandlerDeps {
  bus: Bus;
  yaml: YAMLOffload;
  catalogue: Catalogue;
  maxRequestBodyBytes: number;
  columns: ColumnProviderLookup;
  now: () => number;
  /** Watch streaming; without it watches are refused with 405. */
  watches?: WatchFeeds;
}

/** Subresources that stream or upgrade the connection; they come with the streaming work. */
function isStreamingSubresource(route: ResourceRoute): boolean {
  const sub = route.subresource;
  return sub !== undefined && (sub.name === 'log' || sub.kind.endsWith('Options'));
}

function groupResource(route: ResourceRoute): { group: string; resource: string } {
  return { group: route.info.group, resource: route.info.resource };
}

/** The kind an endpoint reads and writes: the subresource's own kind, or the resource's. */
function expectedKind(route: ResourceRoute): GroupVersionKind {
  const sub = route.subresource;
  if (sub) return { group: sub.group, version: sub.version, kind: sub.kind };
  return { group: route.info.group, version: route.info.version, kind: route.info.kind };
}

function negotiate(ctx: RequestContext, route: ResourceRoute): NegotiatedOutput {
  return negotiateOutputMediaType(
    { accept: ctx.header('accept'), query: ctx.query, userAgent: ctx.header('user-agent') },
    serializersForKind(expectedKind(route)),
    resourceRestrictions(route.info, route.subresource),
  );
}

function scopeOf(route: ResourceRoute, deps: ResourceHandlerDeps): TransformScope {
  return { yaml: deps.yaml, info: route.info, subresource: route.subresource, columns: deps.columns, now: deps.now };
}

async function body(ctx: RequestContext, deps: ResourceHandlerDeps): Promise<Buffer> {
  const body = await readBody(ctx.raw, deps.maxRequestBodyBytes, ctx.abort.signal);
  ctx.requestBody = body;
  return body;
}

async function get(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const opts = decodeGetOptions(ctx.query);
  const request = { ref: refOf(route), resourceVersion: opts.resourceVersion };
  // kube reads a GET without resourceVersion from etcd (a quorum read): storage, directly.
  const reply =
    opts.resourceVersion === ''
      ? await callStorage(ctx, deps.bus, StorageRpc.get, request, false)
      : await readThroughCache(ctx, deps.bus, CacheRpc.get, StorageRpc.get, request);
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

function listMessage(opts: DecodedListOptions) {
  return {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    limit: opts.limit,
    continue: opts.continue,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
  };
}

async function list(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const opts = decodeListOptions(ctx.query);
  if (opts.watch) return watch(ctx, route, deps, out, opts);
  const reply = await readThroughCache(ctx, deps.bus, CacheRpc.list, StorageRpc.list, { ref: refOf(route), options: listMessage(opts) });
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

function watch(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps, out: NegotiatedOutput, opts: DecodedListOptions): Promise<void> {
  if (!deps.watches) throw newMethodNotSupported(groupResource(route), 'watch');
  return serveWatch(ctx, route, opts, out, { watches: deps.watches, columns: deps.columns, now: deps.now });
}

/** The deprecated /watch/ paths: a watch whatever ?watch says (kube's forceWatch). */
function watchPath(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const query = new URLSearchParams(ctx.query);
  query.set('watch', 'true');
  return watch(ctx, route, deps, out, decodeListOptions(query));
}

async function create(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const serializer = negotiateInputSerializer(ctx.header('content-type'), serializersForKind(expectedKind(route)));
  const raw = await body(ctx, deps);
  const options = decodeWriteOptions(ctx.query, 'create', ctx.header('user-agent'));
  const decoded = await decodeObjectBody(raw, serializer, expectedKind(route), deps.catalogue, deps.yaml, ctx.abort.signal);
  const reply = await callStorage(
    ctx,
    deps.bus,
    StorageRpc.create,
    { ref: refOf(route), object: decoded.json, options, user: userInfoToMsg(ctx.user) },
    true,
  );
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

async function update(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const serializer = negotiateInputSerializer(ctx.header('content-type'), serializersForKind(expectedKind(route)));
  const raw = await body(ctx, deps);
  const options = decodeWriteOptions(ctx.query, 'update', ctx.header('user-agent'));
  const decoded = await decodeObjectBody(raw, serializer, expectedKind(route), deps.catalogue, deps.yaml, ctx.abort.signal);
  const reply = await callStorage(
    ctx,
    deps.bus,
    StorageRpc.update,
    { ref: refOf(route), object: decoded.json, options, user: userInfoToMsg(ctx.user) },
    true,
  );
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

/** The PATCH Content-Type without parameters ("; charset=utf-8" is dropped, as kube does). */
export function patchTypeOf(contentType: string): string {
  const i = contentType.indexOf(';');
  return i > 0 ? contentType.slice(0, i) : contentType;
}

/** PatchResource. The route only admits kube's patch types; storage answers 415 for one it
 * does not apply. */
async function patch(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const patchType = patchTypeOf(ctx.header('content-type'));
  const out = negotiate(ctx, route);
  const raw = await body(ctx, deps);
  const options = decodeWriteOptions(ctx.query, 'patch', ctx.header('user-agent'), patchType);
  const reply = await callStorage(
    ctx,
    deps.bus,
    StorageRpc.patch,
    { ref: refOf(route), patchType, patch: raw, options, user: userInfoToMsg(ctx.user) },
    true,
  );
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

const DELETE_OPTIONS_KIND = { group: 'meta.k8s.io', version: 'v1', kind: 'DeleteOptions' };

/** DeleteOptions from the body when there is one (JSON or YAML), else from the query. */
async function deleteOptions(ctx: RequestContext, deps: ResourceHandlerDeps): Promise<RawDeleteOptions> {
  const raw = await body(ctx, deps);
  if (raw.length === 0) return deleteOptionsFromQuery(ctx.query);
  const serializer = negotiateInputSerializer(ctx.header('content-type'), serializersForKind(DELETE_OPTIONS_KIND));
  let parsed: unknown;
  if (isProtobuf(serializer)) {
    parsed = decodeProtobufDeleteOptions(raw);
  } else if (serializer.mediaType === YAML_MEDIA_TYPE) {
    try {
      parsed = await deps.yaml.toJSONValue(raw.toString('utf8'), ctx.abort.signal);
    } catch (err) {
      if (err instanceof YAMLDecodeError) throw newBadRequest(err.message);
      throw err;
    }
  } else {
    const syntax = checkGoJSON(raw);
    if (syntax !== undefined) throw newBadRequest(`couldn't get version/kind; json parse error: ${syntax}`);
    parsed = JSON.parse(raw.toString('utf8'));
  }
  return deleteOptionsFromBody(parsed);
}

async function del(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const options = finishDeleteOptions(await deleteOptions(ctx, deps));
  const reply = await callStorage(ctx, deps.bus, StorageRpc.delete, { ref: refOf(route), options, user: userInfoToMsg(ctx.user) }, true);
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

async function deleteCollection(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  const out = negotiate(ctx, route);
  const listOptions = decodeListOptions(ctx.query);
  const options = finishDeleteOptions(await deleteOptions(ctx, deps));
  const reply = await callStorage(
    ctx,
    deps.bus,
    StorageRpc.deleteCollection,
    { ref: refOf(route), options, listOptions: listMessage(listOptions), user: userInfoToMsg(ctx.user) },
    false,
  );
  await writeResourceReply(ctx, reply, out, scopeOf(route, deps));
}

/**
 * Serves a resolved resource route for the request's method (the router has checked that the
 * method has a route here). StatusErrors propagate to the caller, which writes them.
 */
export async function serveResource(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps): Promise<void> {
  if (route.watchPath) return watchPath(ctx, route, deps);
  if (isStreamingSubresource(route)) throw newMethodNotSupported(groupResource(route), route.subresource!.name);
  switch (ctx.method) {
    case 'GET':
      return route.scope === 'collection' || route.scope === 'all-namespaces' ? list(ctx, route, deps) : get(ctx, route, deps);
    case 'POST':
      return create(ctx, route, deps);
    case 'PUT':
      return update(ctx, route, deps);
    case 'PATCH':
      return patch(ctx, route, deps);
    case 'DELETE':
      return route.scope === 'collection' ? deleteCollection(ctx, route, deps) : del(ctx, route, deps);
    default:
      throw newMethodNotSupported(groupResource(route), ctx.method.toLowerCase());
  }
}
