// GET /api and GET /apis for clients that ask for apidiscovery.k8s.io APIGroupDiscoveryList
// (client-go sends "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...,
// application/json"). Reproduces aggregated.WrappedHandler (the choice between aggregated and
// legacy discovery), writeDiscoveryResponse and ServeHTTPWithETag.

import type { Catalogue } from '@kapi/schema';
import type { RequestContext } from '../context.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  aggregatedListObject,
  negotiateAggregatedDiscovery,
  type APIDiscoveryVersion,
} from '../discovery-aggregated.js';
import { SERIALIZERS, isPrettyPrint } from '../negotiation.js';
import { outputFormat, writeObject } from '../respond.js';
import type { YAMLOffload } from '../yaml-offload.js';

export interface AggregatedDiscoveryDeps {
  catalogue: Catalogue;
  yaml: YAMLOffload;
}

/**
 * Serves the aggregated document of /api ('legacy') or /apis ('groups') when the Accept header
 * selects it; answers false (and writes nothing) when the client wants legacy discovery.
 */
export async function serveAggregatedDiscovery(ctx: RequestContext, which: 'legacy' | 'groups', deps: AggregatedDiscoveryDeps): Promise<boolean> {
  const options = negotiateAggregatedDiscovery(ctx.header('accept'), SERIALIZERS);
  if (!options) return false;
  const version = options.convert!.version as APIDiscoveryVersion;
  const docs = aggregatedDiscovery(deps.catalogue);
  const doc = which === 'legacy' ? docs.legacy() : docs.groups();

  // ServeHTTPWithETag: the ETag is that of the v2 document whichever version is written.
  const quoted = JSON.stringify(doc.etag);
  ctx.responseHeaders.set('ETag', quoted);
  ctx.responseHeaders.set('Vary', 'Accept');
  ctx.responseHeaders.set('Cache-Control', 'public');
  if (ctx.header('if-none-match') === quoted) {
    ctx.send(304, '');
    return true;
  }

  const pretty = options.pretty || isPrettyPrint(ctx.query, ctx.header('user-agent'));
  const choice = { serializer: options.accepted, pretty, contentType: aggregatedContentType(options.accepted.mediaType, version) };
  const payload = outputFormat(choice) === 'json' ? { json: doc.json[version] } : { value: aggregatedListObject(doc.items, version) };
  await writeObject(ctx, 200, payload, choice, deps.yaml);
  return true;
}
