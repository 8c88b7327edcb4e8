// A small HTTPS client for e2e tests that need exact responses (status codes, headers, bodies)
// rather than kubectl's rendering of them.

import { type Agent, request as httpsRequest } from 'node:https';

export interface HttpsResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpsOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  ca: string;
  cert?: string;
  key?: string;
  /** A keep-alive agent (load tests); the default agent otherwise. */
  agent?: Agent;
}

export function httpsCall(url: string, opts: HttpsOptions): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca, cert: opts.cert, key: opts.key, ...(opts.agent ? { agent: opts.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
