// `kapi up` for an e2e test: started on a free loopback port in a temp dir, with the CA and the
// admin client certificate read back, and HTTPS helpers bound to them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningServer, startUp, type UpOptions } from '@kapi/cli';
import { httpsCall, type HttpsOptions, type HttpsResult } from './https.js';
import { tempDir } from './tmp.js';

export interface TestUp {
  server: RunningServer;
  dir: string;
  base: string;
  ca: string;
  admin: { cert: string; key: string };
  /** A request without credentials (add headers for tokens). */
  call(path: string, opts?: Omit<HttpsOptions, 'ca'>): Promise<HttpsResult>;
  /** A request as the admin (system:masters). */
  asAdmin(path: string, opts?: Omit<HttpsOptions, 'ca'>): Promise<HttpsResult>;
  /** POSTs a JSON object as the admin. */
  post(path: string, body: unknown): Promise<HttpsResult>;
  stop(): Promise<void>;
}

/** Starts `kapi up`; `prepare` may write files into the temp dir first and return more options. */
export async function startTestUp(name: string, prepare: (dir: string) => Promise<Partial<UpOptions>> | Partial<UpOptions> = () => ({})): Promise<TestUp> {
  const dir = await tempDir(name);
  try {
    const extra = await prepare(dir.path);
    const server = await startUp({ dataDir: join(dir.path, 'data'), securePort: 0, bindAddress: '127.0.0.1', admissionWorkers: 1, quiet: true, ...extra });
    const base = `https://127.0.0.1:${server.port}`;
    const pki = join(server.dataDir, 'pki');
    const ca = await readFile(join(pki, 'ca.crt'), 'utf8');
    const admin = { cert: await readFile(join(pki, 'admin.crt'), 'utf8'), key: await readFile(join(pki, 'admin.key'), 'utf8') };
    const call = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => httpsCall(`${base}${path}`, { ca, ...opts });
    const asAdmin = (path: string, opts: Omit<HttpsOptions, 'ca'> = {}) => call(path, { ...admin, ...opts });
    return {
      server,
      dir: dir.path,
      base,
      ca,
      admin,
      call,
      asAdmin,
      post: (path, body) => asAdmin(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
      stop: async () => {
        await server.stop();
        await dir.remove();
      },
    };
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
