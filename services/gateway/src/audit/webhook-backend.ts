// The batching audit webhook backend (--audit-webhook-config-file, a kubeconfig): events are
// queued (at most --audit-webhook-batch-buffer-size, 10,000; more are dropped and counted) and
// sent as an audit.k8s.io/v1 EventList when a batch is full (--audit-webhook-batch-max-size,
// 400) or has waited --audit-webhook-batch-max-wait (30 s); a failed send is retried with
// backoff (--audit-webhook-initial-backoff, 10 s) a few times, then dropped.

import type { AuditBackend, AuditEvent } from './backend.js';
import { post, type WebhookTarget } from '../auth/webhook.js';

export interface WebhookBackendOptions {
  target: WebhookTarget;
  bufferSize?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  initialBackoffMs?: number;
  retries?: number;
  onDrop?: (events: number) => void;
}

export class WebhookBackend implements AuditBackend {
  private buffer: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = new Set<Promise<void>>();
  dropped = 0;
  sent = 0;

  constructor(private readonly opts: WebhookBackendOptions) {}

  process(events: AuditEvent[]): void {
    for (const e of events) {
      if (this.buffer.length >= (this.opts.bufferSize ?? 10_000)) {
        this.dropped++;
        this.opts.onDrop?.(1);
      } else this.buffer.push(e);
    }
    if (this.buffer.length >= (this.opts.maxBatchSize ?? 400)) this.flush();
    else if (this.buffer.length > 0 && !this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.maxWaitMs ?? 30_000);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.maxBatchSize ?? 400);
      const p = this.send(batch).finally(() => this.sending.delete(p));
      this.sending.add(p);
    }
  }

  private async send(items: AuditEvent[]): Promise<void> {
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });
    let backoff = this.opts.initialBackoffMs ?? 10_000;
    for (let attempt = 0; attempt <= (this.opts.retries ?? 3); attempt++) {
      try {
        const res = await post(this.opts.target, body);
        if (res.status >= 200 && res.status < 300) {
          this.sent += items.length;
          return;
        }
      } catch {
        // retried below
      }
      await new Promise((resolve) => setTimeout(resolve, backoff).unref());
      backoff *= 2;
    }
    this.dropped += items.length;
    this.opts.onDrop?.(items.length);
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.sending]);
  }
}
