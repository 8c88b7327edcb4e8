// Orderly shutdown of what a command started, last started first.

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Stops everything in reverse start order; one failure does not keep the rest running. */
export async function stopAll(started: Stoppable[]): Promise<void> {
  const failures: string[] = [];
  for (const item of [...started].reverse()) {
    try {
      await item.stop();
    } catch (err) {
      failures.push(`${item.name}: ${(err as Error).message}`);
    }
  }
  started.length = 0;
  if (failures.length > 0) throw new Error(`shutdown errors: ${failures.join('; ')}`);
}

/** Runs `stop` on the first SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        process.stderr.write(`kapi: ${err.message}\n`);
        process.exit(1);
      });
    void signal;
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
