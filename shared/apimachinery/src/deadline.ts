// A promise raced against a timer, the timer always cleared. Used wherever kapi bounds a wait
// (storage's KV health probe, the gateway's storage calls and health checks). No transport or
// storage knowledge: the caller says what a timeout means.

/**
 * Settles like `work` if it settles within `ms`; otherwise calls `onTimeout` once and settles
 * with its result: a returned Error rejects, any other value resolves, a thrown error rejects.
 * The timer is cleared as soon as either side wins. `work` keeps running after a timeout (the
 * caller owns cancelling it); its later rejection is not reported as unhandled.
 */
export function withDeadline<T, U>(work: Promise<T>, ms: number, onTimeout: () => U): Promise<T | Exclude<U, Error>> {
  return new Promise<T | Exclude<U, Error>>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      try {
        const value = onTimeout();
        if (value instanceof Error) reject(value);
        else resolve(value as Exclude<U, Error>);
      } catch (err) {
        reject(err);
      }
    }, Math.max(0, ms));
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
