// A minimal HTTPS client for the bench: keep-alive connections authenticated with the admin
// client certificate from a kubeconfig, JSON in and out.

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse } from 'yaml';

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export class KubeClient {
  private readonly agent: Agent;
  readonly server: URL;
  /** The CA and client certificate, for callers that need their own connections. */
  readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(kubeconfigPath: string, maxSockets: number) {
    const config = parse(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
    const cluster = config.clusters[0]!.cluster;
    const user = config.users[0]!.user;
    const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
    this.server = new URL(cluster.server);
    this.tls = { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
    this.agent = new Agent({ keepAlive: true, maxSockets, ...this.tls });
  }

  /** Sends a request; resolves with the status and body, rejects on transport errors. */
  send(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like send, but a status outside 2xx rejects with the body. */
  async expectOk(method: string, path: string, body?: unknown): Promise<string> {
    const res = await this.send(method, path, body);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 200)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
