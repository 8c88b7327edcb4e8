// Webhook token authentication (--authentication-token-webhook-config-file), as kube's
// plugin/pkg/auth/authenticator/token/webhook: the token is POSTed as a TokenReview to the
// service the kubeconfig file names (its first cluster's server and CA, its first user's client
// certificate or token); status.authenticated with status.user decides. Results are cached
// (success and failure alike) for --authentication-token-webhook-cache-ttl (default 2m), with
// kube's token cache in front (token-cache.ts).

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYAML } from 'yaml';
import type { UserInfo } from '@kapi/apimachinery';
import { MAX_DOCUMENT_BYTES } from './https-fetch.js';
import { intersectAudiences, type TokenAuthenticator, type TokenResult } from './token.js';

export const DEFAULT_WEBHOOK_CACHE_TTL_MS = 2 * 60_000;

export interface WebhookTarget {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** authentication.k8s.io version of the TokenReview (--authentication-token-webhook-version). */
  version: 'v1' | 'v1beta1';
  timeoutMs?: number;
}

async function pem(base: string, data: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFile(resolvePath(base, file), 'utf8');
  return undefined;
}

/** The remote service from a kubeconfig file (first cluster, first user, as kube's webhook uses
 * the current context when there is one). */
export async function readWebhookKubeconfig(path: string, version: 'v1' | 'v1beta1' = 'v1beta1'): Promise<WebhookTarget> {
  type Named<T> = { name: string } & T;
  const cfg = parseYAML(await readFile(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ context: { cluster: string; user: string } }>[];
    clusters?: Named<{ cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string } }>[];
    users?: Named<{ user: { token?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; 'client-key'?: string; 'client-key-data'?: string } }>[];
  };
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context'])?.context;
  const cluster = (ctx ? cfg.clusters?.find((c) => c.name === ctx.cluster) : cfg.clusters?.[0])?.cluster;
  const user = (ctx ? cfg.users?.find((u) => u.name === ctx.user) : cfg.users?.[0])?.user;
  if (!cluster?.server) throw new Error(`${path}: no cluster server for the authentication webhook`);
  const base = dirname(path);
  return {
    server: cluster.server,
    ca: await pem(base, cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: await pem(base, user?.['client-certificate-data'], user?.['client-certificate']),
    key: await pem(base, user?.['client-key-data'], user?.['client-key']),
    token: user?.token,
    version,
  };
}

export function post(target: WebhookTarget, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (target.token) headers.Authorization = `Bearer ${target.token}`;
    const req = request(target.server, { method: 'POST', ca: target.ca, cert: target.cert, key: target.key, headers, timeout: target.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOCUMENT_BYTES) req.destroy(new Error('webhook response too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('webhook timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly target: WebhookTarget) {}

  async authenticateToken(token: string, audiences: readonly string[]): Promise<TokenResult> {
    const review = {
      apiVersion: `authentication.k8s.io/${this.target.version}`,
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: audiences.length > 0 ? { token, audiences } : { token },
      status: { user: {} },
    };
    let res: { status: number; body: string };
    try {
      res = await post(this.target, JSON.stringify(review));
    } catch (err) {
      return { kind: 'error', reason: `Post "${this.target.server}": ${(err as Error).message}` };
    }
    if (res.status < 200 || res.status >= 300) return { kind: 'error', reason: `webhook returned status ${res.status}` };
    let status: { authenticated?: boolean; error?: string; audiences?: string[]; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } };
    try {
      status = ((JSON.parse(res.body) as { status?: typeof status }).status ?? {}) as typeof status;
    } catch (err) {
      return { kind: 'error', reason: `webhook response: ${(err as Error).message}` };
    }
    const tokenAuds = status.audiences ?? [];
    if (audiences.length > 0 && tokenAuds.length > 0 && intersectAudiences(audiences, tokenAuds).length === 0) {
      return { kind: 'error', reason: `token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(audiences)}` };
    }
    if (!status.authenticated) return status.error ? { kind: 'error', reason: status.error } : { kind: 'none' };
    const u = status.user ?? {};
    const user: UserInfo = { username: u.username ?? '', groups: u.groups ?? [] };
    if (u.uid) user.uid = u.uid;
    if (u.extra && Object.keys(u.extra).length > 0) user.extra = u.extra;
    return { kind: 'user', user, audiences: tokenAuds.length > 0 ? tokenAuds : [...audiences] };
  }
}
