// Non-resource endpoints: legacy discovery, /version, the health endpoints and the "/" index.

import type { Catalogue } from '@kapi/schema';
import type { RequestContext } from '../context.js';
import {
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionsDocument,
  type ServerAddressByClientCIDR,
} from '../discovery.js';
import { evaluateHealth, evaluateSingleCheck, type HealthCheck, type HealthEndpoint } from '../health.js';
import type { GatewayLogger } from '../logger.js';
import {
  DEFAULT_ENDPOINT_RESTRICTIONS,
  JSON_SERIALIZER,
  SERIALIZERS,
  isPrettyPrint,
  negotiateMediaTypeOptions,
} from '../negotiation.js';
import { writeHTTPError, writeObject, writeRawJSON, writeStatus, writeText } from '../respond.js';
import { newNotAcceptable } from '@kapi/apimachinery';
import type { VersionInfo } from '../version.js';
import type { YAMLOffload } from '../yaml-offload.js';
import { serveAggregatedDiscovery } from './aggregated-discovery.js';

export interface NonResourceDeps {
  catalogue: Catalogue;
  yaml: YAMLOffload;
  versionInfo: VersionInfo;
  health: Record<HealthEndpoint, readonly HealthCheck[]>;
  healthTimeoutMs: number;
  /** host:port clients should use; derived from the connection when undefined. */
  externalAddress: string | undefined;
  log: GatewayLogger;
}

/** The address of this server as the client reached it ("10.0.0.1:6443", "[::1]:6443"). */
export function serverAddress(ctx: RequestContext, configured: string | undefined): string {
  if (configured) return configured;
  const socket = ctx.raw.socket;
  const host = socket.localAddress ?? '127.0.0.1';
  const bare = host.startsWith('::ffff:') ? host.slice(7) : host;
  return `${bare.includes(':') ? `[${bare}]` : bare}:${socket.localPort ?? 0}`;
}

export type DiscoveryTarget =
  | { kind: 'discovery-versions' }
  | { kind: 'discovery-groups' }
  | { kind: 'discovery-group'; group: string }
  | { kind: 'discovery-resources'; group: string; version: string };

/**
 * Legacy discovery, negotiated as kube's discovery handlers negotiate (no conversions); /api and
 * /apis answer aggregated discovery first when the client asks for it. A client that asks only
 * for an aggregated version the server does not serve gets the legacy document as JSON, which
 * client-go recognizes by its Content-Type and parses as the legacy form.
 */
export async function serveDiscovery(ctx: RequestContext, target: DiscoveryTarget, deps: NonResourceDeps): Promise<void> {
  // /api and /apis answer aggregated discovery to clients that ask for it (aggregated.WrappedHandler).
  if (target.kind === 'discovery-versions' || target.kind === 'discovery-groups') {
    if (await serveAggregatedDiscovery(ctx, target.kind === 'discovery-versions' ? 'legacy' : 'groups', deps)) return;
  }
  const accept = ctx.header('accept');
  let options = negotiateMediaTypeOptions(accept, SERIALIZERS, DEFAULT_ENDPOINT_RESTRICTIONS);
  if (!options && /as=APIGroupDiscoveryList/.test(accept)) {
    options = { pretty: false, stream: '', useServerVersion: '', profile: '', unrecognized: [], accepted: JSON_SERIALIZER };
  }
  if (!options) {
    writeStatus(ctx, newNotAcceptable(SERIALIZERS.map((s) => s.mediaType)).status);
    return;
  }
  let doc: Record<string, unknown> | undefined;
  switch (target.kind) {
    case 'discovery-versions':
      doc = apiVersionsDocument(deps.catalogue, [serverAddressEntry(ctx, deps)]);
      break;
    case 'discovery-groups':
      doc = apiGroupListDocument(deps.catalogue);
      break;
    case 'discovery-group':
      doc = apiGroupDocument(deps.catalogue, target.group);
      break;
    case 'discovery-resources':
      doc = apiResourceListDocument(deps.catalogue, target.group, target.version);
      break;
  }
  if (!doc) {
    writeHTTPError(ctx, 404, '404 page not found');
    return;
  }
  const pretty = options.pretty || isPrettyPrint(ctx.query, ctx.header('user-agent'));
  await writeObject(ctx, 200, { value: doc }, { serializer: options.accepted, pretty }, deps.yaml);
}

function serverAddressEntry(ctx: RequestContext, deps: NonResourceDeps): ServerAddressByClientCIDR {
  return { clientCIDR: '0.0.0.0/0', serverAddress: serverAddress(ctx, deps.externalAddress) };
}

/** GET /version: always indented JSON (kube writes it with WriteRawJSON). */
export function serveVersion(ctx: RequestContext, deps: NonResourceDeps): void {
  writeRawJSON(ctx, 200, deps.versionInfo);
}

/** /healthz, /livez, /readyz and their per-check paths. */
export async function serveHealth(ctx: RequestContext, endpoint: HealthEndpoint, check: string | undefined, deps: NonResourceDeps): Promise<void> {
  const checks = deps.health[endpoint];
  if (check !== undefined) {
    const c = checks.find((x) => x.name === check);
    if (!c) {
      writeHTTPError(ctx, 404, '404 page not found');
      return;
    }
    const result = await evaluateSingleCheck(c, deps.healthTimeoutMs);
    if (result.failed) writeHTTPError(ctx, result.code, result.body);
    else writeText(ctx, 200, result.body);
    return;
  }
  const result = await evaluateHealth(endpoint, checks, ctx.query.getAll('exclude'), ctx.query.has('verbose'), deps.healthTimeoutMs);
  if (result.failed) {
    deps.log.info(`${endpoint} check failed`, { auditID: ctx.auditId, reasons: result.reasons });
    writeHTTPError(ctx, result.code, result.body);
    return;
  }
  writeText(ctx, 200, result.body, { 'X-Content-Type-Options': 'nosniff' });
}

/** The paths "/" lists (metav1.RootPaths), sorted. */
export function listedPaths(catalogue: Catalogue, health: Record<HealthEndpoint, readonly HealthCheck[]>): string[] {
  const paths = new Set<string>(['/api', '/apis', '/apis/', '/openapi/v2', '/openapi/v3', '/openapi/v3/', '/version']);
  for (const g of catalogue.groups()) {
    if (g.name === '') {
      for (const v of g.versions) paths.add(`/api/${v}`);
      continue;
    }
    paths.add(`/apis/${g.name}`);
    for (const v of g.versions) paths.add(`/apis/${g.name}/${v}`);
  }
  for (const [endpoint, checks] of Object.entries(health)) {
    paths.add(`/${endpoint}`);
    for (const c of checks) paths.add(`/${endpoint}/${c.name}`);
  }
  return [...paths].sort();
}

/** GET / and /index.html. */
export function serveIndex(ctx: RequestContext, paths: readonly string[]): void {
  writeRawJSON(ctx, 200, { paths });
}
