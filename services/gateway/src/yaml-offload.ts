// YAML conversion that keeps the event loop free: small inputs convert inline (they take well
// under a millisecond), large ones go to one worker thread, one job at a time, queued. A job
// whose request was abandoned (deadline, client gone) kills the worker so the queue behind it
// moves on; a fresh worker starts for the next job. The queue is bounded.

import { Worker } from 'node:worker_threads';
import { newTooManyRequests } from '@kapi/apimachinery';
import { jsonTextToYAML, yamlToJSONValue, YAMLDecodeError } from './yaml-codec.js';
import type { YAMLJob, YAMLJobResult } from './yaml-worker.js';

/** Inputs up to this size convert inline. */
export const INLINE_YAML_BYTES = 32 * 1024;
/** Jobs waiting for the worker beyond the running one; more are refused with 429. */
export const MAX_QUEUED_YAML_JOBS = 32;

interface Pending {
  job: YAMLJob;
  resolve(text: string): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort?: () => void;
}

export class YAMLOffload {
  private worker: Worker | undefined;
  private running: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly inlineBytes = INLINE_YAML_BYTES) {}

  /** YAML text to its JSON value; throws YAMLDecodeError with kube's message. */
  async toJSONValue(text: string, signal?: AbortSignal): Promise<unknown> {
    if (text.length <= this.inlineBytes) return yamlToJSONValue(text);
    return JSON.parse(await this.run('toJSON', text, signal));
  }

  /** JSON text to YAML as kube writes it. */
  async toYAML(json: string, signal?: AbortSignal): Promise<string> {
    if (json.length <= this.inlineBytes) return jsonTextToYAML(json);
    return this.run('toYAML', json, signal);
  }

  /** Stops the worker; pending jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('YAML conversion stopped');
    for (const p of this.queue.splice(0)) this.settle(p, err);
    if (this.running) this.settle(this.running, err);
    this.running = undefined;
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private run(op: YAMLJob['op'], text: string, signal: AbortSignal | undefined): Promise<string> {
    if (this.closed) return Promise.reject(new Error('YAML conversion stopped'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length >= MAX_QUEUED_YAML_JOBS) {
      return Promise.reject(newTooManyRequests('too many YAML conversions in progress, please try again later', 1));
    }
    return new Promise<string>((resolve, reject) => {
      const pending: Pending = { job: { id: this.nextId++, op, text }, resolve, reject, signal };
      if (signal) {
        pending.onAbort = () => this.abandon(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.running = next;
    this.ensureWorker().postMessage(next.job);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./yaml-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (result: YAMLJobResult) => {
      const p = this.running;
      if (!p || p.job.id !== result.id) return;
      this.running = undefined;
      if (result.ok) this.settle(p, undefined, result.text);
      else this.settle(p, result.decodeError ? new YAMLDecodeError(result.message) : new Error(result.message));
      this.pump();
    });
    worker.on('error', (err) => this.workerGone(worker, err));
    worker.on('exit', () => this.workerGone(worker, new Error('YAML worker exited')));
    this.worker = worker;
    return worker;
  }

  private workerGone(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const p = this.running;
    this.running = undefined;
    if (p) this.settle(p, err);
    this.pump();
  }

  /** The request no longer waits: drop a queued job, or kill the worker running it. */
  private abandon(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(p, p.signal?.reason ?? new Error('abandoned'));
      return;
    }
    if (this.running === p) {
      this.running = undefined;
      const worker = this.worker;
      this.worker = undefined;
      this.settle(p, p.signal?.reason ?? new Error('abandoned'));
      void worker?.terminate();
      this.pump();
    }
  }

  private settle(p: Pending, err: unknown, text?: string): void {
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    if (err !== undefined) p.reject(err);
    else p.resolve(text!);
  }
}
