// The watch handler (kube's ListResource with watch=true, and the deprecated /watch/ paths, then
// serveWatchHandler + WatchServer.HandleHTTP): options checked as kube checks them, the stream
// serializer negotiated, then a WatchSession's events written as a chunked HTTP response until
// the timeout, an error, or the client leaves.
//
// Headers as kube writes them: `Content-Type: application/json` (the JSON serializer's media type
// as is, also for Table watches) and `Transfer-Encoding: chunked`, status 200, sent before the
// first event. Each event is flushed as it is written.
//
// Bounds: what the socket has not taken yet is limited per watcher (`maxBufferedBytes`); a
// watcher past it is closed (kube's cacher closes a watcher whose buffer stays full) and its
// client rewatches from the last resourceVersion it saw. Frames are shared between watchers, so
// memory grows with distinct events, not with watchers times events.

import { randomInt } from 'node:crypto';
import { fieldPath, forbidden, type FieldError, newBadRequest, newNotAcceptable, newSelectionPredicate, notSupported, parseFieldSelector, parseResourceVersion } from '@kapi/apimachinery';
import type { RequestContext } from '../context.js';
import { negotiateOutputMediaType, type NegotiatedOutput } from '../negotiation.js';
import { isProtobuf, serializersForKind } from '../protobuf.js';
import { decodeIncludeObject, optionsInvalid, type DecodedListOptions } from '../options.js';
import type { ResourceRoute } from '../routes/resolve.js';
import { resourceRestrictions } from '../routes/transform.js';
import { notAcceptableMessage } from '../status.js';
import { DEFAULT_COLUMNS, type ColumnProviderLookup } from '../table.js';
import {
  JSON_WATCH_ENCODER,
  partialMetadataWatchEncoder,
  PROTOBUF_WATCH_ENCODER,
  protobufPartialMetadataWatchEncoder,
  tableWatchEncoder,
  type WatchFrameEncoder,
} from './encoders.js';
import type { WatchFeeds } from './feed.js';
import { type BudgetedWatcher } from './budget.js';
import { WatchSession, type WatchOutput } from './session.js';

export interface WatchHandlerDeps {
  watches: WatchFeeds;
  columns: ColumnProviderLookup;
  now: () => number;
  /** --min-request-timeout in seconds (kube's default 1800): a watch without timeoutSeconds
   * lasts a random time between it and twice it. */
  minRequestTimeoutSeconds?: number;
  /** Unsent bytes one watcher may have before it is closed (default 1 MiB). */
  maxBufferedBytes?: number;
  /** BOOKMARK interval (default 60 s). */
  bookmarkIntervalMs?: number;
}

const DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS = 1800;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const META_GROUP = 'meta.k8s.io';

/** validateWatchOptions (apis/meta/internalversion/validation), WatchList enabled as in 1.36. */
export function validateWatchOptions(opts: DecodedListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = opts.resourceVersionMatch;
  if (opts.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errs.push(forbidden(fieldPath('resourceVersionMatch'), 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match.length > 0) {
    if (opts.sendInitialEvents === undefined) {
      errs.push(forbidden(fieldPath('resourceVersionMatch'), 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    }
    if (match !== 'NotOlderThan') errs.push(notSupported(fieldPath('resourceVersionMatch'), match, ['NotOlderThan']));
    if (opts.continue.length > 0) {
      errs.push(forbidden(fieldPath('resourceVersionMatch'), 'resourceVersionMatch is forbidden when continue is provided'));
    }
  }
  return errs;
}

/** The encoder the negotiated output asks for (kube's targetEncodingForTransform). */
function encoderFor(ctx: RequestContext, out: NegotiatedOutput, route: ResourceRoute, deps: WatchHandlerDeps): WatchFrameEncoder {
  const target = out.options.convert;
  const protobuf = isProtobuf(out.serializer);
  if (!target) return protobuf ? PROTOBUF_WATCH_ENCODER : JSON_WATCH_ENCODER;
  const metaVersion = target.version;
  if (target.group !== META_GROUP || (metaVersion !== 'v1' && metaVersion !== 'v1beta1')) throw newNotAcceptable(['application/json']);
  switch (target.kind) {
    case 'Table': {
      // meta/v1 Table is +protobuf=false: there is no protobuf Table stream.
      if (protobuf) throw newNotAcceptable(['application/json']);
      const provider = deps.columns(route.info, '') ?? DEFAULT_COLUMNS;
      return tableWatchEncoder(provider, decodeIncludeObject(ctx.query), metaVersion, deps.now);
    }
    case 'PartialObjectMetadata':
      return protobuf ? protobufPartialMetadataWatchEncoder(metaVersion) : partialMetadataWatchEncoder(metaVersion);
    default:
      throw notAcceptableMessage(`you requested ${target.kind}, but the requested object is not a list`);
  }
}

/** The field selector of a watch on one named object (the /watch/ item path). */
function fieldSelectorFor(route: ResourceRoute, fieldSelector: string): string {
  if (route.scope !== 'item' || route.name === '') return fieldSelector;
  const selector = parseFieldSelector(fieldSelector);
  if (selector.empty()) return `metadata.name=${route.name}`;
  const selected = selector.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
  if (selected !== route.name) throw newBadRequest("fieldSelector metadata.name doesn't match requested name");
  return fieldSelector;
}

/**
 * Serves a watch. `out` is the negotiation ListResource already did (an unacceptable Accept has
 * been answered with 406). Resolves when the stream ended.
 */
export async function serveWatch(ctx: RequestContext, route: ResourceRoute, opts: DecodedListOptions, out: NegotiatedOutput, deps: WatchHandlerDeps): Promise<void> {
  const errs = validateWatchOptions(opts);
  if (errs.length > 0) throw optionsInvalid('ListOptions', errs);
  // NegotiateOutputMediaTypeStream: only serializers with a stream framer.
  const streaming = negotiateOutputMediaType(
    { accept: ctx.header('accept'), query: ctx.query, userAgent: ctx.header('user-agent') },
    serializersForKind({ group: route.info.group, version: route.info.version, kind: route.info.kind }).filter((s) => s.streaming),
    resourceRestrictions(route.info, route.subresource),
  );
  const encoder = encoderFor(ctx, { ...out, serializer: streaming.serializer }, route, deps);
  const info = route.info;
  const fieldSelector = fieldSelectorFor(route, opts.fieldSelector);
  const predicate = newSelectionPredicate(info.group, info.resource, opts.labelSelector, fieldSelector);
  const revision = parseResourceVersion(opts.resourceVersion);
  const minTimeout = deps.minRequestTimeoutSeconds ?? DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS;
  const timeoutMs =
    opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds * 1000 : Math.floor(minTimeout * 1000 * (1 + randomInt(0, 1_000_000) / 1_000_000));
  const maxBuffered = deps.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;

  const feed = deps.watches.feed(info.group, info.version, info.resource);
  let res: ReturnType<RequestContext['stream']>;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let overflowTimer: NodeJS.Timeout | undefined;
  let session: WatchSession | undefined;
  const budget = deps.watches.budget;
  // This watcher as the gateway-wide budget sees it; evicted when the gateway's watchers hold
  // too much unsent output together and this one holds the most.
  const budgeted: BudgetedWatcher = {
    backlog: () => (res && !res.destroyed ? res.writableLength : 0),
    evict: () => {
      res?.destroy();
      session?.stop();
    },
  };

  const output: WatchOutput = {
    event(type, object) {
      if (!res || res.destroyed || res.writableEnded) return false;
      if (res.writableLength > maxBuffered) return false;
      res.write(encoder.encode(type, object));
      return budget.update(budgeted);
    },
    end() {
      if (res && !res.writableEnded && !res.destroyed) {
        const slow = res.writableLength > maxBuffered;
        res.end();
        if (slow) {
          // A client that does not read at all is cut off rather than holding its buffer.
          overflowTimer = setTimeout(() => res?.destroy(), 10_000);
          overflowTimer.unref();
        }
      }
      finish();
    },
  };

  session = new WatchSession(
    feed,
    {
      apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
      kind: info.kind,
      namespace: info.namespaced ? route.namespace : '',
      labelSelector: opts.labelSelector,
      fieldSelector,
      predicate,
      resourceVersion: opts.resourceVersion,
      revision,
      sendInitialEvents: opts.sendInitialEvents,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutMs,
      bookmarkIntervalMs: deps.bookmarkIntervalMs,
    },
    output,
  );
  const onAbort = () => session.stop();
  ctx.abort.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await session.start(() => {
      // No Content-Length: HTTP/1.1 frames it chunked, HTTP/2 in DATA frames.
      res = ctx.stream(200, { 'Content-Type': encoder.contentType });
      if (!res) {
        session!.stop();
        return;
      }
      budget.add(budgeted);
      res.on('drain', () => budget.update(budgeted));
      res.once('close', () => {
        budget.remove(budgeted);
        session!.stop();
      });
    });
  } catch (err) {
    ctx.abort.signal.removeEventListener('abort', onAbort);
    throw err;
  }
  await finished;
  ctx.abort.signal.removeEventListener('abort', onAbort);
  if (overflowTimer && res?.writableFinished) clearTimeout(overflowTimer);
}
