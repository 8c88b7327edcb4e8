// The director at the end of the chain: resolves the path, applies go-restful's route checks
// (method, Content-Type, Accept) where kube's routes are go-restful routes, and runs the handler.
// Handler errors (StatusErrors) are written as Status responses here.

import { PATCH_TYPES, isStatusError } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import type { HealthEndpoint } from '../health.js';
import { ROUTE_MEDIA_TYPES, ROUTE_STREAM_MEDIA_TYPES, routeConsumesContentType, routeProducesAccept } from '../negotiation.js';
import { writeError, writeHTTPError, writeStatus } from '../respond.js';
import { listedPaths, serveDiscovery, serveHealth, serveIndex, serveVersion, type NonResourceDeps } from '../routes/non-resource.js';
import { resolvePath, type ResourceRoute } from '../routes/resolve.js';
import { OpenAPICache } from '../openapi-cache.js';
import { serveOpenAPIv2, serveOpenAPIv3Document, serveOpenAPIv3Index } from '../routes/openapi.js';
import { serveResource, type ResourceHandlerDeps } from '../routes/resources.js';
import type { Authentication } from '../auth/authentication-config.js';
import { isAuthenticationReview, serveAuthenticationReview } from '../routes/authentication-reviews.js';
import { isAuthorizationReview, serveAuthorizationReview } from '../routes/authorization-reviews.js';
import type { Authorizer } from '../auth/authorizer.js';
import { serverAddress } from '../routes/non-resource.js';
import { isServiceAccountDiscoveryPath, serveServiceAccountDiscovery } from '../routes/service-account-discovery.js';
import { genericServerResponse, routeMethodNotAllowed, routeNotFound } from '../status.js';

export interface RouteDeps extends ResourceHandlerDeps, NonResourceDeps {
  catalogue: Catalogue;
  /** The authenticator, for TokenReview, SelfSubjectReview and service-account discovery. */
  authentication?: Authentication;
  /** The authorizer, for the access and rules reviews. */
  authorizer?: Authorizer;
}

/** Go's req.ContentLength: -1 when unknown (chunked), else the declared length (0 if none). */
function contentLength(ctx: RequestContext): number {
  if (ctx.header('transfer-encoding') !== '') return -1;
  const v = ctx.header('content-length');
  if (v === '') return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : -1;
}

/**
 * go-restful's RouterJSR311.detectRoute after the path matched: the method must have a route,
 * the Content-Type must be one the route consumes, and the Accept one it produces. Returns the
 * failure Status, or undefined when the route is selected.
 */
function goRestfulSelect(
  ctx: RequestContext,
  methods: readonly string[],
  produces: readonly string[],
  consumes: readonly string[],
): ReturnType<typeof genericServerResponse> | undefined {
  if (!methods.includes(ctx.method)) return routeMethodNotAllowed();
  const bodyless = ['POST', 'PUT', 'PATCH'].includes(ctx.method) && ['', '0'].includes(ctx.header('content-length'));
  let available = produces;
  if (!routeConsumesContentType(ctx.header('content-type'), ctx.method, consumes)) {
    if (contentLength(ctx) > 0) return genericServerResponse(415, '415: Unsupported Media Type');
    // No candidate survives: the Accept step below fails with an empty list.
    available = [];
  }
  if (available.length === 0 || !routeProducesAccept(ctx.header('accept'), available)) {
    const list = available.join(', ');
    return bodyless
      ? genericServerResponse(415, `415: Unsupported Media Type\n\nAvailable representations: ${list}`)
      : genericServerResponse(406, `406: Not Acceptable\n\nAvailable representations: ${list}`);
  }
  return undefined;
}

/** What the resource route for this method produces and consumes (kube's installer lists). */
function resourceMediaTypes(route: ResourceRoute, method: string): { produces: readonly string[]; consumes: readonly string[] } {
  const listing = method === 'GET' && (route.watchPath || route.scope === 'collection' || route.scope === 'all-namespaces');
  return {
    produces: listing ? [...ROUTE_MEDIA_TYPES, ...ROUTE_STREAM_MEDIA_TYPES] : ROUTE_MEDIA_TYPES,
    consumes: method === 'PATCH' ? PATCH_TYPES : ['*/*'],
  };
}

export function routeFilter(deps: RouteDeps): NamedFilter {
  const checkNames = (endpoint: string): readonly string[] => (deps.health[endpoint as HealthEndpoint] ?? []).map((c) => c.name);
  const index = listedPaths(deps.catalogue, deps.health);
  // Documents are built on first request and kept (kube: info.version is the git version up to "-").
  const openapi = new OpenAPICache(deps.catalogue, deps.versionInfo.gitVersion.split('-')[0]!);
  return {
    name: 'route',
    filter: async (ctx) => {
      if (deps.authentication && isServiceAccountDiscoveryPath(ctx.path)) {
        serveServiceAccountDiscovery(ctx, deps.authentication, serverAddress(ctx, deps.externalAddress));
        return;
      }
      const resolution = resolvePath(ctx.path, deps.catalogue, checkNames);
      try {
        switch (resolution.kind) {
          case 'not-found':
            writeHTTPError(ctx, 404, '404 page not found');
            return;
          case 'route-not-found':
            writeStatus(ctx, routeNotFound().status);
            return;
          case 'index':
            serveIndex(ctx, index);
            return;
          case 'health':
            await serveHealth(ctx, resolution.endpoint, resolution.check, deps);
            return;
          case 'openapi-v2':
            await serveOpenAPIv2(ctx, openapi);
            return;
          case 'openapi-v3-index':
            serveOpenAPIv3Index(ctx, openapi);
            return;
          case 'openapi-v3':
            serveOpenAPIv3Document(ctx, resolution.groupVersion, openapi);
            return;
          case 'version': {
            const failure = goRestfulSelect(ctx, ['GET'], ['application/json'], ['application/json']);
            if (failure) writeStatus(ctx, failure.status);
            else serveVersion(ctx, deps);
            return;
          }
          case 'discovery-versions':
          case 'discovery-groups':
          case 'discovery-group':
          case 'discovery-resources': {
            const failure = goRestfulSelect(ctx, ['GET'], ROUTE_MEDIA_TYPES, ROUTE_MEDIA_TYPES);
            if (failure) writeStatus(ctx, failure.status);
            else await serveDiscovery(ctx, resolution, deps);
            return;
          }
          case 'resource': {
            const { produces, consumes } = resourceMediaTypes(resolution.route, ctx.method);
            const failure = goRestfulSelect(ctx, resolution.route.methods, produces, consumes);
            if (failure) writeStatus(ctx, failure.status);
            else if (deps.authentication && isAuthenticationReview(resolution.route, ctx.method)) await serveAuthenticationReview(ctx, resolution.route, deps, deps.authentication);
            else if (deps.authorizer && isAuthorizationReview(resolution.route, ctx.method)) await serveAuthorizationReview(ctx, resolution.route, deps, deps.authorizer);
            else await serveResource(ctx, resolution.route, deps);
            return;
          }
        }
      } catch (err) {
        // Abandoned requests (deadline passed, client gone) have nobody to answer.
        if (ctx.abandoned && !isStatusError(err)) return;
        // Anything but a StatusError is a bug: panic recovery answers and logs it.
        if (ctx.responded || !isStatusError(err)) throw err;
        writeError(ctx, err);
      }
    },
  };
}
