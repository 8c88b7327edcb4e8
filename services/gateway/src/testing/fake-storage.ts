// A small in-memory storage service for gateway tests, served on the bus like the real one: it
// records every request it gets and implements enough of the registry (create/get/list/update/
// merge-patch/delete) for kubectl to work against a gateway. Individual RPCs can be overridden.

import { randomUUID } from 'node:crypto';
import { parse as parseYAML } from 'yaml';
import { apiVersionOf, newAlreadyExists, newBadRequest, newNotFound } from '@kapi/apimachinery';
import {
  AdmissionRpc,
  StorageRpc,
  type Bus,
  type HealthReply,
  type ObjectReply,
  type ResourceRef,
  type Subscription,
} from '@kapi/bus';
import type { Catalogue } from '@kapi/schema';

export type StorageMethod = 'create' | 'get' | 'list' | 'update' | 'patch' | 'delete' | 'deleteCollection';

export interface RecordedCall {
  method: StorageMethod;
  request: Record<string, unknown>;
  /** Message headers (trace context, deadline). */
  headers: Record<string, string>;
}

type Handler = (request: Record<string, unknown>) => Promise<ObjectReply>;

function reply(object: unknown, code = 0, warnings: string[] = []): ObjectReply {
  return { object: Buffer.from(JSON.stringify(object)), warnings, code };
}

function keyOf(ref: ResourceRef, name = ref.name): string {
  return `${ref.group}/${ref.resource}/${ref.namespace}/${name}`;
}

export class FakeStorage {
  readonly calls: RecordedCall[] = [];
  /** Objects by group/resource/namespace/name. */
  readonly objects = new Map<string, Record<string, unknown>>();
  /** Per-method replacements for the built-in behaviour. */
  readonly overrides: Partial<Record<StorageMethod, Handler>> = {};
  /** Health checks each service reports; set ok=false to fail one. */
  storageHealthy = true;
  admissionHealthy = true;
  /** How many health RPCs each service answered. */
  readonly healthCalls = { storage: 0, admission: 0 };
  private revision = 100;
  private subs: Subscription[] = [];

  constructor(private readonly catalogue: Catalogue) {}

  lastCall(method?: StorageMethod): RecordedCall | undefined {
    const list = method ? this.calls.filter((c) => c.method === method) : this.calls;
    return list[list.length - 1];
  }

  /** Stores an object directly (as if created earlier). */
  put(ref: Pick<ResourceRef, 'group' | 'resource' | 'namespace'>, object: Record<string, unknown>): void {
    const meta = (object.metadata ??= {}) as Record<string, unknown>;
    meta.resourceVersion ??= String(++this.revision);
    meta.uid ??= randomUUID();
    meta.creationTimestamp ??= new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.objects.set(`${ref.group}/${ref.resource}/${ref.namespace}/${meta.name as string}`, object);
  }

  async serve(bus: Bus): Promise<void> {
    const methods: StorageMethod[] = ['create', 'get', 'list', 'update', 'patch', 'delete', 'deleteCollection'];
    for (const m of methods) {
      const rpc = StorageRpc[m] as unknown as Parameters<Bus['serve']>[0];
      this.subs.push(
        await bus.serve(rpc, async (req: unknown, ctx) => {
          const request = req as Record<string, unknown>;
          this.calls.push({ method: m, request, headers: ctx.headers });
          const override = this.overrides[m];
          return override ? override(request) : this.builtin(m, request);
        }),
      );
    }
    const health = (service: 'storage' | 'admission', ok: () => boolean) => async (): Promise<HealthReply> => {
      this.healthCalls[service]++;
      return { service, instance: 'fake', checks: [{ name: 'kv', ok: ok(), message: ok() ? '' : 'kv unreachable' }] };
    };
    this.subs.push(await bus.serve(StorageRpc.health, health('storage', () => this.storageHealthy)));
    this.subs.push(await bus.serve(AdmissionRpc.health, health('admission', () => this.admissionHealthy)));
  }

  async close(): Promise<void> {
    await Promise.all(this.subs.map((s) => s.close()));
    this.subs = [];
  }

  private info(ref: ResourceRef) {
    const info = this.catalogue.lookup(ref.group, ref.version, ref.resource);
    if (!info) throw newBadRequest(`fake storage: unknown resource ${ref.resource}`);
    return info;
  }

  private async builtin(method: StorageMethod, req: Record<string, unknown>): Promise<ObjectReply> {
    const ref = req.ref as ResourceRef;
    const info = this.info(ref);
    const gr = { group: ref.group, resource: ref.resource };
    const apiVersion = apiVersionOf(ref.group, ref.version);
    switch (method) {
      case 'get': {
        const obj = this.objects.get(keyOf(ref));
        if (!obj) throw newNotFound(gr, ref.name);
        return reply(obj);
      }
      case 'list': {
        const prefix = ref.namespace === '' ? `${ref.group}/${ref.resource}/` : `${ref.group}/${ref.resource}/${ref.namespace}/`;
        const items = [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
        return reply({ kind: info.listKind, apiVersion, metadata: { resourceVersion: String(this.revision) }, items });
      }
      case 'create': {
        const obj = JSON.parse(Buffer.from(req.object as Uint8Array).toString('utf8')) as Record<string, unknown>;
        const meta = (obj.metadata ??= {}) as Record<string, unknown>;
        if (!meta.name && typeof meta.generateName === 'string') meta.name = meta.generateName + randomUUID().slice(0, 5);
        if (info.namespaced) meta.namespace = ref.namespace;
        const name = String(meta.name ?? '');
        if (this.objects.has(keyOf(ref, name))) throw newAlreadyExists(gr, name);
        this.put(ref, obj);
        return reply(obj, 201);
      }
      case 'update': {
        const obj = JSON.parse(Buffer.from(req.object as Uint8Array).toString('utf8')) as Record<string, unknown>;
        if (!this.objects.has(keyOf(ref))) throw newNotFound(gr, ref.name);
        const meta = (obj.metadata ??= {}) as Record<string, unknown>;
        meta.resourceVersion = String(++this.revision);
        this.objects.set(keyOf(ref), obj);
        return reply(obj);
      }
      case 'patch': {
        const text = Buffer.from(req.patch as Uint8Array).toString('utf8');
        const isApply = req.patchType === 'application/apply-patch+yaml';
        const current = this.objects.get(keyOf(ref));
        if (!current && isApply) {
          // Server-side apply creates what does not exist.
          const created = { ...(parseYAML(text) as Record<string, unknown>) };
          const meta = (created.metadata ??= {}) as Record<string, unknown>;
          if (info.namespaced) meta.namespace = ref.namespace;
          this.put(ref, created);
          return reply(created, 201);
        }
        if (!current) throw newNotFound(gr, ref.name);
        const patch = (isApply ? parseYAML(text) : JSON.parse(text)) as Record<string, unknown>;
        const merged = mergePatch(current, patch) as Record<string, unknown>;
        (merged.metadata as Record<string, unknown>).resourceVersion = String(++this.revision);
        this.objects.set(keyOf(ref), merged);
        return reply(merged);
      }
      case 'delete': {
        const obj = this.objects.get(keyOf(ref));
        if (!obj) throw newNotFound(gr, ref.name);
        this.objects.delete(keyOf(ref));
        return reply(obj);
      }
      case 'deleteCollection': {
        const prefix = `${ref.group}/${ref.resource}/${ref.namespace}/`;
        const items: unknown[] = [];
        for (const [k, v] of [...this.objects.entries()]) {
          if (k.startsWith(prefix)) {
            items.push(v);
            this.objects.delete(k);
          }
        }
        return reply({ kind: info.listKind, apiVersion, metadata: { resourceVersion: String(this.revision) }, items });
      }
    }
  }
}

/** RFC 7386 merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

