// How admission plugins running in worker threads read the cluster: a request/reply bridge over
// BroadcastChannels to the admission service's main thread, which owns the bus. Requests go on
// `<channel>.req` (every worker posts there; only the main thread listens), answers come back on
// `<channel>.res.<threadId>`, so a worker sees only its own. Each request is bounded by a
// timeout; a main thread that never answers fails the lookup (the plugin's failure, not a hang).

import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { KubeObject, Status } from '@kapi/apimachinery';
import { StatusError, newInternalError } from '@kapi/apimachinery';

export type AccessOp = 'get' | 'list' | 'updateStatus';

export interface AccessRequest {
  id: number;
  thread: number;
  op: AccessOp;
  /** '<group>/<plural>', '' for the core group: '/namespaces', 'scheduling.k8s.io/priorityclasses'. */
  resource: string;
  namespace: string;
  name: string;
  object?: KubeObject;
  /** Read past the main thread's short cache (a quota re-read after a conflict). */
  fresh?: boolean;
}

export type AccessReply =
  | { id: number; ok: true; object?: KubeObject; items?: KubeObject[]; updated?: boolean }
  | { id: number; ok: false; status: Status };

/** What the main thread answers with (the bus-backed implementation is in cluster-access.ts). */
export interface AccessBackend {
  get(resource: string, namespace: string, name: string, fresh: boolean): Promise<KubeObject | undefined>;
  list(resource: string, namespace: string, fresh: boolean): Promise<KubeObject[]>;
  updateStatus(resource: string, object: KubeObject): Promise<boolean>;
}

/** Main thread: answers workers' requests from `backend`. */
export class AccessServer {
  private readonly requests: BroadcastChannel;
  private readonly replies = new Map<number, BroadcastChannel>();

  constructor(
    private readonly channel: string,
    private readonly backend: AccessBackend,
  ) {
    this.requests = new BroadcastChannel(`${channel}.req`);
    this.requests.onmessage = (ev) => void this.answer((ev as { data: AccessRequest }).data);
  }

  private replyChannel(thread: number): BroadcastChannel {
    let ch = this.replies.get(thread);
    if (!ch) {
      ch = new BroadcastChannel(`${this.channel}.res.${thread}`);
      this.replies.set(thread, ch);
    }
    return ch;
  }

  private async answer(req: AccessRequest): Promise<void> {
    let reply: AccessReply;
    try {
      switch (req.op) {
        case 'get': {
          const object = await this.backend.get(req.resource, req.namespace, req.name, req.fresh === true);
          reply = { id: req.id, ok: true, ...(object ? { object } : {}) };
          break;
        }
        case 'list':
          reply = { id: req.id, ok: true, items: await this.backend.list(req.resource, req.namespace, req.fresh === true) };
          break;
        case 'updateStatus':
          reply = { id: req.id, ok: true, updated: await this.backend.updateStatus(req.resource, req.object!) };
          break;
        default:
          reply = { id: req.id, ok: false, status: newInternalError(`unknown cluster access op ${JSON.stringify(req.op)}`).status };
      }
    } catch (err) {
      reply = { id: req.id, ok: false, status: (err instanceof StatusError ? err : newInternalError(err)).status };
    }
    this.replyChannel(req.thread).postMessage(reply);
  }

  close(): void {
    this.requests.close();
    for (const ch of this.replies.values()) ch.close();
    this.replies.clear();
  }
}

/** Worker thread: sends requests to the main thread and waits (bounded) for the answers. */
export class AccessClient {
  private readonly requests: BroadcastChannel;
  private readonly replies: BroadcastChannel;
  private readonly pending = new Map<number, { resolve: (r: AccessReply) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;

  constructor(
    channel: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.requests = new BroadcastChannel(`${channel}.req`);
    this.replies = new BroadcastChannel(`${channel}.res.${threadId}`);
    this.replies.onmessage = (ev) => {
      const reply = (ev as { data: AccessReply }).data;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      p.resolve(reply);
    };
    // Neither channel keeps the thread alive on its own.
    (this.requests as unknown as { unref?: () => void }).unref?.();
    (this.replies as unknown as { unref?: () => void }).unref?.();
  }

  private call(req: Omit<AccessRequest, 'id' | 'thread'>): Promise<AccessReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(newInternalError(`cluster lookup of ${req.resource} timed out`));
      }, this.timeoutMs);
      this.pending.set(id, {
        timer,
        resolve: (reply) => (reply.ok ? resolve(reply) : reject(new StatusError(reply.status))),
      });
      this.requests.postMessage({ ...req, id, thread: threadId } satisfies AccessRequest);
    });
  }

  async get(resource: string, namespace: string, name: string, opts: { fresh?: boolean } = {}): Promise<KubeObject | undefined> {
    return (await this.call({ op: 'get', resource, namespace, name, fresh: opts.fresh })).object;
  }

  async list(resource: string, namespace: string, opts: { fresh?: boolean } = {}): Promise<KubeObject[]> {
    return (await this.call({ op: 'list', resource, namespace, name: '', fresh: opts.fresh })).items ?? [];
  }

  async updateStatus(resource: string, object: KubeObject): Promise<boolean> {
    return (await this.call({ op: 'updateStatus', resource, namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', object })).updated === true;
  }
}
