// A gateway on 127.0.0.1 with a fake storage on an InProcessBus and throwaway certificates, plus
// an HTTPS client for tests.

import { request as httpsRequest, Agent } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { InProcessBus } from '@kapi/bus';
import { builtinCatalogue, type Catalogue } from '@kapi/schema';
import { silentLogger } from '../logger.js';
import { startGateway, type Gateway, type GatewayOptions } from '../server.js';
import { FakeStorage } from './fake-storage.js';
import { createTestCA, issueServingCert, type KeyPairPEM, type TestCA } from './pki.js';

export interface HTTPResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
  /** Client certificate: 'admin' (default), 'none', or explicit PEMs. */
  client?: 'admin' | 'none' | KeyPairPEM;
}

export interface Harness {
  gateway: Gateway;
  bus: InProcessBus;
  storage: FakeStorage;
  catalogue: Catalogue;
  ca: TestCA;
  /** Client certificate of user "admin" in groups system:masters. */
  admin: KeyPairPEM;
  port: number;
  request(method: string, path: string, opts?: RequestOptions): Promise<HTTPResponse>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<GatewayOptions> = {}): Promise<Harness> {
  const catalogue = overrides.catalogue ?? builtinCatalogue();
  const ca = await createTestCA();
  const serving = await issueServingCert(ca);
  const admin = await ca.issue({ subject: 'CN=admin, O=system:masters' });
  const bus = new InProcessBus();
  const storage = new FakeStorage(catalogue);
  await storage.serve(bus.peer());
  const gateway = await startGateway({
    bus,
    catalogue,
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { cert: serving.cert, key: serving.key, clientCA: ca.cert },
    logger: silentLogger,
    ...overrides,
  });
  const agents = new Map<string, Agent>();
  const agentFor = (client: RequestOptions['client']): Agent => {
    const pair = client === 'none' ? undefined : client === undefined || client === 'admin' ? admin : client;
    const key = pair ? pair.cert : 'none';
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({ ca: ca.cert, cert: pair?.cert, key: pair?.key, keepAlive: true, maxSockets: 64 });
      agents.set(key, agent);
    }
    return agent;
  };

  const request = (method: string, path: string, opts: RequestOptions = {}): Promise<HTTPResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.body !== undefined && !opts.chunked) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
      const req = httpsRequest(
        { host: '127.0.0.1', port: gateway.port, method, path, headers, agent: agentFor(opts.client), servername: 'localhost' },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const text = body.toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.body !== undefined) {
        const body = Buffer.from(opts.body);
        // Chunked bodies go out in 16 KiB pieces so the server sees a stream.
        const step = opts.chunked ? 16 * 1024 : body.length || 1;
        for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      }
      req.end();
    });

  return {
    gateway,
    bus,
    storage,
    catalogue,
    ca,
    admin,
    port: gateway.port,
    request,
    async close() {
      for (const a of agents.values()) a.destroy();
      await gateway.close();
      await storage.close();
      await bus.close();
    },
  };
}
