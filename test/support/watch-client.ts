// A raw HTTPS watch client for tests: authenticates with the admin kubeconfig's client
// certificate and collects a watch stream's events (newline-delimited JSON) and headers.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { parse } from 'yaml';

export interface WatchEventRecord {
  type: string;
  object: { kind?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; [k: string]: unknown };
}

interface KubeconfigFile {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export interface RawClient {
  server: URL;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function rawClient(kubeconfigPath: string): RawClient {
  const cfg = parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const b = (s: string) => Buffer.from(s, 'base64');
  return {
    server: new URL(cfg.clusters[0]!.cluster.server),
    ca: b(cfg.clusters[0]!.cluster['certificate-authority-data']),
    cert: b(cfg.users[0]!.user['client-certificate-data']),
    key: b(cfg.users[0]!.user['client-key-data']),
  };
}

export interface OpenWatch {
  status: number;
  headers: IncomingHttpHeaders;
  events: WatchEventRecord[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** Resolves once `n` events arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a watch (GET path?query) and resolves once the response head arrived. */
export function openWatch(client: RawClient, pathAndQuery: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: client.server.hostname,
        port: client.server.port,
        path: pathAndQuery,
        method: 'GET',
        ca: client.ca,
        cert: client.cert,
        key: client.key,
        headers,
      },
      (res) => {
        const events: WatchEventRecord[] = [];
        let buffer = '';
        const waiters: { n: number; resolve: () => void }[] = [];
        const notify = () => {
          for (const w of [...waiters]) if (events.length >= w.n) w.resolve();
        };
        const ended = new Promise<void>((done) => {
          res.on('data', (chunk: Buffer) => {
            buffer += chunk.toString('utf8');
            for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              if (line.trim() !== '') events.push(JSON.parse(line) as WatchEventRecord);
            }
            notify();
          });
          res.on('end', () => {
            if (buffer.trim() !== '') events.push(JSON.parse(buffer) as WatchEventRecord);
            done();
          });
          res.on('error', () => done());
          res.on('close', () => done());
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          ended,
          waitFor(n, timeoutMs = 10_000) {
            if (events.length >= n) return Promise.resolve();
            return new Promise<void>((ok, fail) => {
              const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${n} events: ${JSON.stringify(events.map((e) => e.type))}`)), timeoutMs);
              waiters.push({
                n,
                resolve: () => {
                  clearTimeout(timer);
                  ok();
                },
              });
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A plain JSON request (GET/POST/DELETE ...) with the admin certificate. */
export function rawRequest(client: RawClient, method: string, pathAndQuery: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: client.server.hostname,
        port: client.server.port,
        path: pathAndQuery,
        method,
        ca: client.ca,
        cert: client.cert,
        key: client.key,
        headers: payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
