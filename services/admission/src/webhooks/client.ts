// Calling one admission webhook (k8s.io/apiserver/pkg/admission/plugin/webhook): an
// admission.k8s.io/v1 AdmissionReview POSTed over HTTPS to the webhook's url or service (with its
// caBundle as the only trusted CA when given), bounded by the webhook's timeoutSeconds (default
// 10, at most 30) and by the request's own deadline, and its answer checked as kube checks it.
// Failures come back as kube's texts: `failed calling webhook "<name>": failed to call webhook:
// Post "<url>": <reason>`.

import { Agent, request as httpsRequest } from 'node:https';
import type { KubeObject } from '@kapi/apimachinery';

export interface ClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number } | null;
  caBundle?: string;
}

/** Where a `service` clientConfig points: an https URL and the name its certificate is for. */
export type ServiceResolver = (namespace: string, name: string, port: number) => Promise<{ host: string; port: number } | undefined>;

export interface WebhookResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** Largest webhook answer read (kube-apiserver's request body bound). */
export const MAX_WEBHOOK_RESPONSE_BYTES = 3 * 1024 * 1024;

export class WebhookCallError extends Error {}

/** Keep-alive connections per webhook endpoint and trust (kube's client reuses connections too);
 * at most MAX_AGENTS endpoints are kept, the least recently used are closed. */
const MAX_AGENTS = 64;
const agents = new Map<string, Agent>();

function agentFor(url: URL, ca: string | undefined, servername: string | undefined): Agent {
  const key = `${url.host}\u0000${servername ?? ''}\u0000${ca ?? ''}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key);
  } else {
    agent = new Agent({ keepAlive: true, maxSockets: 64, ...(ca ? { ca } : {}), ...(servername ? { servername } : {}) });
    if (agents.size >= MAX_AGENTS) {
      const [oldest, old] = agents.entries().next().value as [string, Agent];
      agents.delete(oldest);
      old.destroy();
    }
  }
  agents.set(key, agent);
  return agent;
}

/** Go net/http's text for the common connection failures, so messages read as kube's. */
function goDialError(err: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  const target = err.address !== undefined ? `${err.address.includes(':') ? `[${err.address}]` : err.address}:${err.port}` : '';
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${target}: connect: connection refused`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'ENOTFOUND':
      return `dial tcp: lookup ${(err as { hostname?: string }).hostname ?? ''}: no such host`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: ${err.message}`;
    default:
      return err.message;
  }
}

async function targetURL(name: string, cfg: ClientConfig, resolve: ServiceResolver | undefined): Promise<{ url: URL; servername?: string }> {
  if (cfg.url) return { url: new URL(cfg.url) };
  const svc = cfg.service;
  if (!svc) throw new WebhookCallError(`failed calling webhook ${JSON.stringify(name)}: webhook has no url or service`);
  const port = svc.port ?? 443;
  const at = resolve ? await resolve(svc.namespace, svc.name, port) : undefined;
  if (!at) throw new WebhookCallError(`failed calling webhook ${JSON.stringify(name)}: failed to call webhook: service "${svc.namespace}/${svc.name}" has no endpoints`);
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return { url: new URL(`https://${host}:${at.port}${svc.path ?? ''}`), servername: `${svc.name}.${svc.namespace}.svc` };
}

/**
 * POSTs the review and returns the webhook's response (checked: same uid, allowed present).
 * Throws WebhookCallError with kube's message for every failure to get a valid answer.
 */
export async function callWebhook(opts: {
  name: string;
  clientConfig: ClientConfig;
  timeoutMs: number;
  request: Record<string, unknown> & { uid: string };
  resolveService?: ServiceResolver;
}): Promise<WebhookResponse> {
  const { name } = opts;
  const failed = (reason: string) => new WebhookCallError(`failed calling webhook ${JSON.stringify(name)}: ${reason}`);
  const { url, servername } = await targetURL(name, opts.clientConfig, opts.resolveService);
  const timeoutSeconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  const shown = url.toString();
  if (url.protocol !== 'https:') throw failed(`failed to call webhook: Post "${shown}": unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
  const ca = opts.clientConfig.caBundle ? Buffer.from(opts.clientConfig.caBundle, 'base64').toString('utf8') : undefined;
  const body = JSON.stringify({ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request: opts.request });

  const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'Content-Length': Buffer.byteLength(body) },
        agent: agentFor(url, ca, servername),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_WEBHOOK_RESPONSE_BYTES) req.destroy(Object.assign(new Error(`the response is larger than ${MAX_WEBHOOK_RESPONSE_BYTES} bytes`), { code: 'KAPI_TOO_LARGE' }));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'KAPI_TIMEOUT' })), opts.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  }).catch((err: NodeJS.ErrnoException) => {
    throw failed(`failed to call webhook: Post "${shown}": ${goDialError(err)}`);
  });

  if (raw.status < 200 || raw.status >= 300) {
    const detail = raw.body.trim() === '' ? `the server responded with the status code ${raw.status} but did not return more information` : `an error on the server (${JSON.stringify(raw.body.trim().slice(0, 1024))}) has prevented the request from succeeding`;
    throw failed(`failed to call webhook: ${detail}`);
  }
  let review: { apiVersion?: string; kind?: string; response?: WebhookResponse };
  try {
    review = JSON.parse(raw.body) as typeof review;
  } catch (err) {
    throw failed(`received invalid webhook response: ${(err as Error).message}`);
  }
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw failed(`received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`);
  }
  const response = review.response;
  if (!response) throw failed('received invalid webhook response: webhook response was absent');
  if (response.uid !== opts.request.uid) throw failed(`received invalid webhook response: expected response.uid=${JSON.stringify(opts.request.uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  return response;
}

/** webhookerrors.ToStatusErr: the denial as a Status (code at least 400). */
export function denialStatus(name: string, status: WebhookResponse['status']): { code: number; reason: string; message: string; details?: unknown } {
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const code = status?.code !== undefined && status.code >= 400 ? status.code : 400;
  let message: string;
  if (status?.message) message = `${deniedBy}: ${status.message}`;
  else if (status?.reason) message = `${deniedBy}: ${status.reason}`;
  else message = `${deniedBy} without explanation`;
  return { code, reason: status?.reason ?? '', message, ...(status?.details ? { details: status.details } : {}) };
}

export type { KubeObject };
