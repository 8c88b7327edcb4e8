// startGateway: the HTTPS server (fastify, HTTP/1.1) in front of the filter chain.
//
// Fastify owns the listener, TLS, keep-alive and shutdown. Every request is taken over in the
// onRequest hook (before fastify's own body parsing, content-type checks and 404s, whose answers
// are not kube's) and handed to the filter chain with the raw request and response.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Bus } from '@kapi/bus';
import { builtinCatalogue, type Catalogue } from '@kapi/schema';
import { compose, type NamedFilter } from './chain.js';
import { RequestContext, type ResponseSink } from './context.js';
import { auditInitFilter } from './filters/audit-init.js';
import { authenticationFilter, clientCertificateAuthenticator, type RequestAuthenticator } from './filters/authentication.js';
import { buildAuthentication, type Authentication, type AuthenticationOptions } from './auth/authentication-config.js';
import { alwaysAllow, authorizerForModes, type Authorizer, type ModeAuthorizers } from './auth/authorizer.js';
import { busNodeGraph, busObjectGetter } from './auth/object-getter.js';
import { NodeAuthorizer } from './auth/node.js';
import { startRBAC, type RunningRBAC } from './auth/rbac/start.js';
import { readWebhookKubeconfig } from './auth/webhook.js';
import { WebhookAuthorizer } from './auth/webhook-authorizer.js';
import { authorizationFilter } from './filters/authorization.js';
import { impersonationFilter } from './filters/impersonation.js';
import { cacheControlFilter } from './filters/cache-control.js';
import { compileAllowedOrigins, corsFilter } from './filters/cors.js';
import { hstsFilter } from './filters/hsts.js';
import { maxInFlightFilter } from './filters/max-in-flight.js';
import { startAudit } from './audit/start.js';
import { deadlineFilter } from './filters/deadline.js';
import { panicRecoveryFilter, PANIC_MESSAGE } from './filters/panic-recovery.js';
import { requestInfoFilter } from './filters/request-info.js';
import { routeFilter } from './filters/route.js';
import { timeoutFilter } from './filters/timeout.js';
import { gatewayHealthChecks } from './health.js';
import { jsonLogger, type GatewayLogger } from './logger.js';
import { builtinColumns } from './printers/index.js';
import type { ColumnProviderLookup } from './table.js';
import { defaultVersionInfo, type VersionInfo } from './version.js';
import { YAMLOffload } from './yaml-offload.js';
import { WatchFeeds } from './watch/feed.js';
import { DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT, DEFAULT_MAX_REQUESTS_INFLIGHT, FlowController, StaticConfigSource } from './flowcontrol/controller.js';
import { priorityAndFairnessFilter } from './flowcontrol/filter.js';
import { InformerConfigSource, type FlowControlConfigSource } from './flowcontrol/config-source.js';

export interface GatewayTLS {
  /** PEM serving certificate (chain). */
  cert: string;
  /** PEM private key of the serving certificate. */
  key: string;
  /** PEM bundle of the CAs that sign client certificates (--client-ca-file). */
  clientCA: string;
  /** --requestheader-client-ca-file: CAs of front proxies (trusted by TLS too). */
  requestHeaderCA?: string;
}

export interface GatewayOptions {
  bus: Bus;
  /** Unsent watch output all watchers together may hold before the largest backlogs are closed
   * (default 256 MiB). */
  watchBufferBudgetBytes?: number;
  /** The resources served; the built-in Kubernetes 1.36 catalogue by default. */
  catalogue?: Catalogue;
  bindAddress: string;
  /** 0 picks a free port; the chosen one is reported. */
  port: number;
  tls: GatewayTLS;
  /** --request-timeout: the longest a non-long-running request may take. Default 60 s. */
  requestTimeoutMs?: number;
  /** Largest request body accepted. Default 3 MiB (kube's). */
  maxRequestBodyBytes?: number;
  /** This replica's name, for logs. */
  instance?: string;
  logger?: GatewayLogger;
  /** host:port advertised in /api's serverAddressByClientCIDRs (default: the address the
   * client connected to). */
  externalAddress?: string;
  /** Fields of /version to report differently. */
  versionInfo?: Partial<VersionInfo>;
  /** Per-resource Table columns (default: kube's printers for built-in types, printers/index.ts). */
  columns?: ColumnProviderLookup;
  /** How long one health check (e.g. the storage health RPC) may take. Default 5 s. */
  healthCheckTimeoutMs?: number;
  /** How long the outcome of the storage and admission health checks is reused, so that
   * probes do not fan out to them. Default 1 s; 0 shares only checks in flight. */
  healthCheckCacheTtlMs?: number;
  /** Largest request header section. Default 32 KiB. */
  maxHeaderBytes?: number;
  /** How long close() waits for in-flight requests before dropping connections. Default 5 s. */
  shutdownGracePeriodMs?: number;
  /** Authentication flags (--token-auth-file, --service-account-*, --anonymous-auth, ...);
   * x509 client certificates are always on. */
  authentication?: AuthenticationOptions;
  /** Serve HTTP/2 (ALPN "h2") beside HTTP/1.1 on the same port, as kube-apiserver does. Default true. */
  http2?: boolean;
  /** --authorization-mode, parsed (auth/authorizer.ts parseAuthorizationModes); AlwaysAllow by default. */
  authorizationModes?: string[];
  /** Audit: --audit-policy-file with the log backend (--audit-log-path, -maxsize, -maxbackup,
   * -maxage) and/or the batching webhook backend (--audit-webhook-config-file). No policy file,
   * no auditing (as kube). */
  audit?: { policyFile: string; logPath?: string; logMaxSizeMB?: number; logMaxBackups?: number; logMaxAgeDays?: number; webhookConfigFile?: string; webhookBatchMaxWaitMs?: number };
  /** --strict-transport-security-directives: an HSTS header on every response when given. */
  strictTransportSecurityDirectives?: string[];
  /** --cors-allowed-origins: regular expressions of the origins CORS requests may come from. */
  corsAllowedOrigins?: string[];
  /** Mode Webhook: --authorization-webhook-config-file (a kubeconfig), -version (v1beta1), and
   * the cache TTLs (--authorization-webhook-cache-authorized-ttl 5m, -unauthorized-ttl 30s). */
  authorizationWebhook?: { configFile: string; version?: 'v1' | 'v1beta1'; authorizedTtlMs?: number; unauthorizedTtlMs?: number };
  /** --max-requests-inflight (default 400): with priority and fairness, its sum with
   * --max-mutating-requests-inflight is this replica's concurrency limit shared by the levels. */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight (default 200). */
  maxMutatingRequestsInflight?: number;
  /** --enable-priority-and-fairness (default true). */
  enablePriorityAndFairness?: boolean;
  /** Where FlowSchemas and PriorityLevelConfigurations come from; the bootstrap objects by default. */
  flowControlConfig?: FlowControlConfigSource;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;
const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_HEADER_BYTES = 32 * 1024;
const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** Go's URL.Path: the request target's path, percent-decoded; undefined when it does not decode. */
function parseTarget(url: string): { path: string; query: URLSearchParams } | undefined {
  let target = url;
  if (!target.startsWith('/')) {
    // absolute-form (proxies): keep path and query only
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      return undefined;
    }
  }
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  try {
    return { path: decodeURIComponent(rawPath), query: new URLSearchParams(rawQuery) };
  } catch {
    return undefined;
  }
}

/** What Go's net/http answers for a request target it cannot parse (no handler runs). */
function badRequestTarget(res: ServerResponse): void {
  // HTTP/2 has no Connection header (Node refuses it); the stream simply ends.
  const h2 = (res as { stream?: unknown }).stream !== undefined;
  res.writeHead(400, h2 ? { 'Content-Type': 'text/plain; charset=utf-8' } : { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('400 Bad Request');
}

/** The 500 answered when the intended response cannot be written (panic recovery's text). */
function answerInternalError(res: ServerResponse): void {
  const body = PANIC_MESSAGE + '\n';
  // Whatever writeHead kept of the failed attempt goes; only these headers are sent.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.writeHead(500, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/**
 * The response sink of one request. A response counts as sent once its head was accepted:
 * when writeHead throws (a header value Node refuses, a status code out of range) the client
 * gets a 500 instead while that is still possible, else the connection is destroyed, so a
 * request never hangs unanswered. The failure is logged; send() then answers false.
 */
export function responseSink(res: ServerResponse, log: GatewayLogger): ResponseSink {
  let sent = false;
  return {
    get sent() {
      return sent;
    },
    send(code, headers, body) {
      if (sent || res.headersSent || res.destroyed) {
        sent = true;
        return false;
      }
      try {
        res.writeHead(code, { ...headers, 'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length) });
      } catch (err) {
        sent = true;
        log.error('the response head could not be written', { code, err });
        try {
          if (res.headersSent) throw new Error('headers already sent');
          answerInternalError(res);
        } catch {
          res.destroy();
        }
        return false;
      }
      sent = true;
      res.end(body);
      return true;
    },
    stream(code, headers) {
      if (sent || res.headersSent || res.destroyed) {
        sent = true;
        return undefined;
      }
      sent = true;
      try {
        res.writeHead(code, headers);
        res.flushHeaders();
      } catch (err) {
        log.error('the response head could not be written', { code, err });
        res.destroy();
        return undefined;
      }
      return res;
    },
  };
}

/** The filter chain of this stage, outermost first (see KUBE_FILTER_ORDER). */
export function defaultFilterChain(deps: {
  log: GatewayLogger;
  requestTimeoutMs: number;
  route: NamedFilter;
  authentication?: Authentication;
  authorizer?: Authorizer;
  hstsDirectives?: string[];
  corsAllowedOrigins?: RegExp[];
  /** The audit stage; absent without an audit policy. */
  audit?: NamedFilter;
  /** The priority-and-fairness stage (the max-in-flight limit when APF is disabled). */
  priorityAndFairness?: NamedFilter;
}): NamedFilter[] {
  const authentication = deps.authentication;
  const authenticate: RequestAuthenticator = authentication
    ? (ctx) => authentication.request({ headers: ctx.headers, socket: ctx.raw.socket })
    : clientCertificateAuthenticator;
  return [
    auditInitFilter(),
    panicRecoveryFilter(deps.log),
    requestInfoFilter(),
    ...(deps.hstsDirectives?.length ? [hstsFilter(deps.hstsDirectives)] : []),
    cacheControlFilter(),
    deadlineFilter(deps.requestTimeoutMs),
    timeoutFilter(deps.log),
    ...(deps.corsAllowedOrigins?.length ? [corsFilter(deps.corsAllowedOrigins)] : []),
    authenticationFilter(deps.log, authenticate, deps.authentication?.anonymous ?? true),
    ...(deps.audit ? [deps.audit] : []),
    impersonationFilter(deps.authorizer ?? alwaysAllow),
    ...(deps.priorityAndFairness ? [deps.priorityAndFairness] : []),
    authorizationFilter(deps.authorizer ?? alwaysAllow),
    deps.route,
  ];
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const catalogue = opts.catalogue ?? builtinCatalogue();
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxRequestBodyBytes = opts.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
  const healthTimeoutMs = opts.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
  const log = opts.logger ?? jsonLogger(process.stderr, opts.instance ? `gateway/${opts.instance}` : 'gateway');
  let shuttingDown = false;

  const authentication = await buildAuthentication(
    {
      ...opts.authentication,
      clientCA: opts.tls.clientCA,
      requestHeader: opts.tls.requestHeaderCA ? { ...opts.authentication?.requestHeader, clientCA: opts.tls.requestHeaderCA } : undefined,
    },
    busObjectGetter(opts.bus),
  );
  const yaml = new YAMLOffload();
  const watches = new WatchFeeds(opts.bus, { bufferBudgetBytes: opts.watchBufferBudgetBytes });
  const modes = opts.authorizationModes ?? ['AlwaysAllow'];
  const modeAuthorizers: ModeAuthorizers = {};
  let rbac: RunningRBAC | undefined;
  if (modes.includes('Webhook')) {
    const hook = opts.authorizationWebhook;
    if (!hook?.configFile) throw new Error('authorization-mode Webhook needs --authorization-webhook-config-file');
    modeAuthorizers.Webhook = new WebhookAuthorizer(await readWebhookKubeconfig(hook.configFile, hook.version ?? 'v1beta1'), hook);
  }
  if (modes.includes('Node')) modeAuthorizers.Node = new NodeAuthorizer(busNodeGraph(opts.bus));
  if (modes.includes('RBAC')) {
    rbac = startRBAC(watches);
    modeAuthorizers.RBAC = rbac.authorizer;
  }
  const authorizer = authorizerForModes(modes, modeAuthorizers);
  const route = routeFilter({
    watches,
    authentication,
    authorizer,
    bus: opts.bus,
    yaml,
    catalogue,
    maxRequestBodyBytes,
    columns: opts.columns ?? builtinColumns,
    now: () => Date.now(),
    versionInfo: defaultVersionInfo(opts.versionInfo),
    health: gatewayHealthChecks({
      bus: opts.bus,
      timeoutMs: healthTimeoutMs,
      isShuttingDown: () => shuttingDown,
      cacheTtlMs: opts.healthCheckCacheTtlMs,
    }),
    healthTimeoutMs,
    externalAddress: opts.externalAddress,
    log,
  });
  // API Priority and Fairness, per replica as kube-apiserver does it per instance, on the
  // cluster's FlowSchemas and PriorityLevelConfigurations.
  let liveFlowControl: InformerConfigSource | undefined;
  const priorityAndFairness =
    opts.enablePriorityAndFairness === false
      ? maxInFlightFilter(opts.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT, opts.maxMutatingRequestsInflight ?? DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT)
      : priorityAndFairnessFilter(
          new FlowController({
            source: opts.flowControlConfig ?? (liveFlowControl = new InformerConfigSource(watches, new StaticConfigSource())),
            serverConcurrencyLimit: (opts.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT) + (opts.maxMutatingRequestsInflight ?? DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT),
          }),
          { defaultWaitLimitMs: requestTimeoutMs / 4 },
        );
  const audit = opts.audit ? await startAudit(opts.audit) : undefined;
  const chain = compose(
    defaultFilterChain({
      audit: audit?.filter,
      log,
      requestTimeoutMs,
      route,
      authentication,
      authorizer,
      priorityAndFairness,
      hstsDirectives: opts.strictTransportSecurityDirectives,
      corsAllowedOrigins: compileAllowedOrigins(opts.corsAllowedOrigins ?? []),
    }),
  );

  // With http2, fastify serves ALPN h2 and (allowHTTP1) http/1.1 on one TLS port. HTTP/2
  // requests arrive as node's compatibility Http2ServerRequest/Response, which have every member
  // the chain uses (method, url, headers, socket, writeHead, end, close events), so the handlers
  // see one request type; the instance is typed as the HTTP/1 one for that reason.
  const http2 = opts.http2 ?? true;
  const app = Fastify({
    ...(http2 ? { http2: true } : {}),
    https: {
      ...(http2 ? { allowHTTP1: true } : {}),
      cert: opts.tls.cert,
      key: opts.tls.key,
      // No --client-ca-file (empty clientCA) and no front proxy: no client certificates asked for.
      ...(() => {
        const cas = [opts.tls.clientCA, opts.tls.requestHeaderCA ?? ''].filter((c) => c.trim() !== '');
        return cas.length > 0 ? { ca: cas.length === 1 ? cas[0] : cas, requestCert: true } : { requestCert: false };
      })(),
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      maxHeaderSize: opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    },
    logger: false,
    // A request target fastify's router cannot decode is refused as Go's server refuses it,
    // before any handler.
    frameworkErrors: (_error: unknown, _request: unknown, reply: { hijack(): void; raw: ServerResponse }) => {
      reply.hijack();
      badRequestTarget(reply.raw);
    },
    exposeHeadRoutes: false,
    return503OnClosing: false,
    forceCloseConnections: http2 ? false : 'idle',
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  // HTTP/1 servers drop their connections with closeAllConnections; the HTTP/2 server has no
  // such call, so its TLS sockets (HTTP/1 and h2 sessions) are tracked and destroyed.
  const sockets = new Set<import('node:net').Socket>();
  if (http2) {
    app.server.on('secureConnection', (socket: import('node:net').Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const closeAllConnections = (): void => {
    if (!http2) app.server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = Date.now();
    const target = parseTarget(req.url ?? '/');
    if (!target) {
      badRequestTarget(res);
      return;
    }
    const ctx = new RequestContext({
      method: req.method ?? 'GET',
      requestURI: req.url ?? '/',
      path: target.path,
      query: target.query,
      headers: req.headers,
      raw: req,
      sink: responseSink(res, log),
      receivedAt,
    });
    res.once('close', () => {
      if (!res.writableFinished) ctx.abort.abort(new Error('client closed the connection'));
    });
    try {
      await chain(ctx);
    } catch (err) {
      log.error('request failed outside the filter chain', { err });
    }
    if (!ctx.responded) {
      ctx.send(500, PANIC_MESSAGE + '\n', { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    }
  };

  app.addHook('onRequest', (request, reply, done) => {
    reply.hijack();
    void handle(request.raw, reply.raw);
    done();
  });
  // Never reached (the hook takes every request over); it makes every path a route.
  app.all('*', async () => undefined);

  try {
    await app.listen({ host: opts.bindAddress, port: opts.port });
  } catch (err) {
    rbac?.close();
    liveFlowControl?.close();
    await audit?.close();
    await app.close();
    await yaml.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  log.info('gateway listening', { address: address.address, port: address.port, instance: opts.instance });

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const grace = setTimeout(() => closeAllConnections(), opts.shutdownGracePeriodMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
        // Watches are long-running: they end now, so that their clients rewatch elsewhere.
        rbac?.close();
        liveFlowControl?.close();
        await watches.close();
        try {
          await app.close();
        } finally {
          clearTimeout(grace);
          await yaml.close();
          await audit?.close();
        }
      })();
      return closing;
    },
  };
}
