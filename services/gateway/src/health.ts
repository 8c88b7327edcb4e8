// /healthz, /livez and /readyz exactly as kube-apiserver's healthz package answers them:
//   200 "ok"                                     all checks pass, not verbose
//   200 "[+]ping ok\n...readyz check passed\n"   all pass, ?verbose
//   500 "[+]ping ok\n[-]x failed: reason withheld\n...readyz check failed\n" (always verbose)
// ?exclude=<name> skips a check ("[+]x excluded: ok") and unknown exclusions are reported
// ("warn: some health checks cannot be excluded: no matches for \"y\""). Each check also has its
// own path (/readyz/<name>) answering "ok" or 500 "internal server error: <reason>".
// The checks that ask other services (storage, which asks etcd, and admission) run at most once
// at a time and are remembered for a second, so anonymous probes cannot fan out to the backends.

import type { Bus } from '@kapi/bus';
import { AdmissionRpc, StorageRpc, type HealthReply, type Rpc } from '@kapi/bus';
import { goQuote, compareGoStrings, withDeadline } from '@kapi/apimachinery';

/** One named check. Resolves when healthy, rejects (with a reason for the logs) when not. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

/** A check that does nothing: the server answers, so it is alive. */
export const pingCheck: HealthCheck = { name: 'ping', check: async () => {} };

/**
 * kube's "log" check fails when logging has been blocked for a minute. The gateway logs to
 * stderr: it fails when stderr has had writes waiting to drain for longer than `maxBlockedMs`.
 */
export function logCheck(maxBlockedMs = 60_000, stream: NodeJS.WriteStream = process.stderr): HealthCheck {
  let blockedSince: number | undefined;
  return {
    name: 'log',
    async check() {
      if (!stream.writableNeedDrain) {
        blockedSince = undefined;
        return;
      }
      blockedSince ??= Date.now();
      if (Date.now() - blockedSince > maxBlockedMs) throw new Error('logging blocked');
    },
  };
}

/** The bus is connected. */
export function busCheck(bus: Bus): HealthCheck {
  return {
    name: 'bus',
    async check() {
      if (!bus.isConnected()) throw new Error('bus is not connected');
    },
  };
}

/** A service's health RPC: every check it reports must pass. */
export function serviceHealthCheck(name: string, bus: Bus, rpc: Rpc<Record<string, never>, HealthReply>, timeoutMs: number): HealthCheck {
  return {
    name,
    async check() {
      const reply = await bus.request(rpc, {}, { timeoutMs });
      const failed = reply.checks.filter((c) => !c.ok);
      if (failed.length > 0) throw new Error(failed.map((c) => `${c.name}: ${c.message || 'failed'}`).join('; '));
    },
  };
}

/** Starts a check, a synchronous throw counting as a failure. */
function start(check: HealthCheck): Promise<void> {
  return new Promise<void>((resolve) => resolve(check.check()));
}

/**
 * `check` shared and remembered: concurrent callers share one run, and its outcome (pass or
 * failure) answers every call for `ttlMs` after it settled. A run is bounded by `timeoutMs`
 * (it then fails as timed out), so no caller waits on a shared run longer than one check may
 * take; one run and one outcome are kept per check.
 */
export function cachedCheck(check: HealthCheck, opts: { ttlMs: number; timeoutMs: number; now?: () => number }): HealthCheck {
  const now = opts.now ?? Date.now;
  let last: { outcome: Promise<void>; settledAt: number | undefined } | undefined;
  return {
    name: check.name,
    check() {
      if (last && (last.settledAt === undefined || now() - last.settledAt < opts.ttlMs)) return last.outcome;
      const run: { outcome: Promise<void>; settledAt: number | undefined } = {
        outcome: withDeadline(start(check), opts.timeoutMs, () => new Error(`timed out after ${opts.timeoutMs}ms`)),
        settledAt: undefined,
      };
      const settled = (): void => {
        run.settledAt = now();
      };
      run.outcome.then(settled, settled);
      last = run;
      return run.outcome;
    },
  };
}

/** How long a backend check's outcome is reused. */
export const DEFAULT_HEALTH_CACHE_TTL_MS = 1_000;

/** Fails once the server has begun shutting down (kube's "shutdown" readiness check). */
export function shutdownCheck(isShuttingDown: () => boolean): HealthCheck {
  return {
    name: 'shutdown',
    async check() {
      if (isShuttingDown()) throw new Error('process is shutting down');
    },
  };
}

/** The gateway's checks for each endpoint, in the order they are reported. */
export function gatewayHealthChecks(opts: {
  bus: Bus;
  timeoutMs: number;
  isShuttingDown: () => boolean;
  /** How long the storage and admission outcomes are reused (default 1 s; 0: only shared). */
  cacheTtlMs?: number;
}): Record<HealthEndpoint, HealthCheck[]> {
  const shared = (check: HealthCheck): HealthCheck =>
    cachedCheck(check, { ttlMs: opts.cacheTtlMs ?? DEFAULT_HEALTH_CACHE_TTL_MS, timeoutMs: opts.timeoutMs });
  const base = [
    pingCheck,
    logCheck(),
    busCheck(opts.bus),
    shared(serviceHealthCheck('storage', opts.bus, StorageRpc.health, opts.timeoutMs)),
    shared(serviceHealthCheck('admission', opts.bus, AdmissionRpc.health, opts.timeoutMs)),
  ];
  return { healthz: base, livez: base, readyz: [...base, shutdownCheck(opts.isShuttingDown)] };
}

/** Runs a check with a deadline; resolves to the failure reason, or undefined when healthy. */
function runCheck(check: HealthCheck, timeoutMs: number): Promise<string | undefined> {
  const reason = start(check).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  return withDeadline(reason, timeoutMs, () => `timed out after ${timeoutMs}ms`);
}

export interface HealthResponse {
  code: number;
  /** Body text; a failure body goes out as Go's http.Error (a trailing newline added there). */
  body: string;
  failed: boolean;
  /** Failure reasons by check, for the log (never sent to the client). */
  reasons: Record<string, string>;
}

/**
 * The root endpoint (/readyz etc.): checks run concurrently, reported in order.
 * `excluded` are the ?exclude= values; `verbose` whether ?verbose was given.
 */
export async function evaluateHealth(
  endpoint: HealthEndpoint,
  checks: readonly HealthCheck[],
  excluded: readonly string[],
  verbose: boolean,
  timeoutMs: number,
): Promise<HealthResponse> {
  const exclude = new Set(excluded);
  const unknownExcluded = new Set(excluded);
  const results = await Promise.all(
    checks.map(async (c) => {
      if (exclude.has(c.name)) {
        unknownExcluded.delete(c.name);
        return { name: c.name, excluded: true, reason: undefined };
      }
      return { name: c.name, excluded: false, reason: await runCheck(c, timeoutMs) };
    }),
  );
  let out = '';
  const reasons: Record<string, string> = {};
  for (const r of results) {
    if (r.excluded) out += `[+]${r.name} excluded: ok\n`;
    else if (r.reason !== undefined) {
      out += `[-]${r.name} failed: reason withheld\n`;
      reasons[r.name] = r.reason;
    } else out += `[+]${r.name} ok\n`;
  }
  if (unknownExcluded.size > 0) {
    const names = [...unknownExcluded].sort(compareGoStrings).map(goQuote).join(',');
    out += `warn: some health checks cannot be excluded: no matches for ${names}\n`;
  }
  if (Object.keys(reasons).length > 0) {
    return { code: 500, body: `${out}${endpoint} check failed`, failed: true, reasons };
  }
  if (!verbose) return { code: 200, body: 'ok', failed: false, reasons };
  return { code: 200, body: `${out}${endpoint} check passed\n`, failed: false, reasons };
}

/** One check's own path: "ok", or the reason (kube reveals it there). */
export async function evaluateSingleCheck(check: HealthCheck, timeoutMs: number): Promise<{ code: number; body: string; failed: boolean }> {
  const reason = await runCheck(check, timeoutMs);
  if (reason === undefined) return { code: 200, body: 'ok', failed: false };
  return { code: 500, body: `internal server error: ${reason}`, failed: true };
}
