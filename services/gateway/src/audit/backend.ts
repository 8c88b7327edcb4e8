// Where audit events go. Backends never block the request that produced an event: they queue
// (bounded) and write in the background; what does not fit is dropped and counted.

export type AuditEvent = Record<string, unknown>;

export interface AuditBackend {
  /** Takes events; never throws, never waits. */
  process(events: AuditEvent[]): void;
  /** Writes what is queued, then stops. */
  close(): Promise<void>;
}
