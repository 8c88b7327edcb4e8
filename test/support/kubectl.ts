// Finds a kubectl for end-to-end tests and runs it against a kubeconfig. The machine's `kubectl`
// may dispatch by server version; a pinned kubectl.1.32 beside its real path is preferred so the
// tests see one client's behaviour.

import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The kubectl to test with, or undefined (tests skip with a printed reason). */
export function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'kubectl');
    if (!executable(candidate)) continue;
    const pinned = join(dirname(realpathSync(candidate)), 'kubectl.1.32');
    return executable(pinned) ? pinned : candidate;
  }
  return undefined;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  constructor(
    readonly binary: string,
    readonly kubeconfig: string,
  ) {}

  /** Runs kubectl; never rejects on a non-zero exit (the result carries it). */
  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.binary,
        ['--kubeconfig', this.kubeconfig, ...args],
        { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, KUBECONFIG: this.kubeconfig, KUBECTL_KUBERC: 'false' } },
        (error, stdout, stderr) => {
          if (error && typeof (error as NodeJS.ErrnoException).code === 'string') return reject(error);
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
    });
  }

  /** Runs kubectl and fails with its output when it exits non-zero. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.run(args, opts);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }
}
