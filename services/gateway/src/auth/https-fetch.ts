// GETs JSON over HTTPS with an optional CA bundle (the OIDC issuer's certificateAuthority),
// bounded in time and size so a slow or huge answer cannot hold the gateway.

import { request } from 'node:https';

export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export function fetchJSON(url: string, opts: { ca?: string; timeoutMs?: number } = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'https:') {
      reject(new Error(`${url}: only https URLs are allowed`));
      return;
    }
    const req = request(u, { method: 'GET', ca: opts.ca, headers: { Accept: 'application/json' }, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOCUMENT_BYTES) {
          req.destroy(new Error(`${url}: response larger than ${MAX_DOCUMENT_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`${url}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(new Error(`${url}: ${(err as Error).message}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
