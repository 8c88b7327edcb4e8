// The gateway's log: one JSON object per line on stderr by default. Handlers log only what an
// operator needs (recovered failures, health check reasons kube withholds from clients).

export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function serializable(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    out[k] = v instanceof Error ? { message: v.message, stack: v.stack } : v;
  }
  return out;
}

/** Writes JSON lines to a stream (stderr by default). */
export function jsonLogger(stream: NodeJS.WritableStream = process.stderr, component = 'gateway'): GatewayLogger {
  const write = (level: string, message: string, fields?: Record<string, unknown>): void => {
    stream.write(JSON.stringify({ time: new Date().toISOString(), level, component, msg: message, ...serializable(fields) }) + '\n');
  };
  return {
    info: (m, f) => write('info', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Discards everything (tests). */
export const silentLogger: GatewayLogger = { info: () => {}, error: () => {} };
