// The piscina worker: one batch of admission reviews per task (packed by batch-codec). Each
// worker thread loads the OpenAPI definitions and builds its chain once (at startup, before its
// first task), then runs every review through it. Results cross back to the pool as plain data:
// the admitted object's JSON bytes and warnings, or the rejection's metav1.Status (errors do not
// survive the thread boundary).

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { type KubeObject, type UserInfo, newBadRequest, toStatusError } from '@kapi/apimachinery';
import type { AdmissionRequest } from '@kapi/bus';
import { builtinCatalogue, definitions } from '@kapi/schema';
import { type ReviewResult, decodeRequests, encodeResults } from './batch-codec.js';
import { type AdmissionPlugin, AdmissionChain } from './chain.js';
import { strategyValidation } from './strategy-validation.js';
import { applyTypeDefaults } from './types/index.js';
import { Defaulter } from './defaulter.js';
import { SchemaValidator } from './schema-validator.js';
import { workerPlugins } from './worker-plugins.js';
import { requestTarget } from './request-target.js';

/** How long one review may take, a little under storage's 30 s wait for admission. */
const REVIEW_BUDGET_MS = 28_000;

/** What the pool hands every worker thread. */
export interface AdmissionWorkerData {
  /**
   * Module specifiers (absolute paths or URLs) of admission plugins, in chain order. Each module
   * exports `createAdmissionPlugin(): AdmissionPlugin | Promise<AdmissionPlugin>`.
   */
  pluginModules?: string[];
  /** Built-in plugins to run, in chain order (resolved from --enable-admission-plugins and
   * --disable-admission-plugins by the service). */
  admissionPlugins?: string[];
  /** The BroadcastChannel name of the service's cluster-access bridge (access/bridge.ts). */
  accessChannel?: string;
}

/** One review: the bus request as it arrived. */
export type ReviewTask = AdmissionRequest;

export type { ReviewResult };

type PluginModule = { createAdmissionPlugin?: () => AdmissionPlugin | Promise<AdmissionPlugin> };

async function loadPlugins(specifiers: readonly string[]): Promise<AdmissionPlugin[]> {
  const plugins: AdmissionPlugin[] = [];
  for (const specifier of specifiers) {
    const url = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
    const mod = (await import(url)) as PluginModule;
    if (typeof mod.createAdmissionPlugin !== 'function') {
      throw new Error(`admission plugin module ${specifier} does not export createAdmissionPlugin()`);
    }
    plugins.push(await mod.createAdmissionPlugin());
  }
  return plugins;
}

let chainPromise: Promise<AdmissionChain> | undefined;

/** This thread's chain, built on first use from the worker data. */
function chain(): Promise<AdmissionChain> {
  chainPromise ??= (async () => {
    const data = (workerData ?? {}) as AdmissionWorkerData;
    const defs = definitions();
    const catalogue = builtinCatalogue();
    // Built-in plugins need the cluster: only with the service's bridge (a bare pool runs none).
    const builtin = data.accessChannel ? workerPlugins(data.accessChannel, data.admissionPlugins, catalogue) : undefined;
    const plugins = [...(builtin?.plugins ?? []), ...(await loadPlugins(data.pluginModules ?? []))];
    return new AdmissionChain({
      validator: new SchemaValidator(defs),
      defaulter: new Defaulter(defs),
      strategy: strategyValidation(catalogue),
      typeDefaults: applyTypeDefaults,
      plugins,
      ...(builtin ? { prepare: builtin.prepare } : {}),
    });
  })();
  return chainPromise;
}

// Start loading as soon as the thread does, so that the first request does not pay for it.
if (!isMainThread) chain().catch(() => undefined);

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function parseJSON(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw newBadRequest(`admission: ${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The piscina task: a batch of reviews packed by batch-codec, run together (the pool
 * batches requests so that the cost of a thread hand-off is shared); the packed results are
 * transferred back, in the order of the requests. Throws only for a buffer that is not a batch.
 */
export default async function reviewBatch(batch: Uint8Array): Promise<unknown> {
  // Concurrently: a review waiting on a webhook or a cluster lookup must not hold up the others.
  const results: ReviewResult[] = await Promise.all(decodeRequests(batch).map((task) => review(task)));
  return move(encodeResults(results));
}

/** Runs one review; never throws (a failure is returned as its Status). */
export async function review(task: ReviewTask): Promise<ReviewResult> {
  try {
    const admission = await chain();
    const hasObject = task.object !== undefined && task.object.length > 0;
    const hasOld = task.oldObject !== undefined && task.oldObject.length > 0;
    const outcome = await admission.admit({
      ...requestTarget(task),
      operation: task.operation,
      object: hasObject ? parseJSON(task.object, 'object') : undefined,
      oldObject: hasOld ? (parseJSON(task.oldObject, 'oldObject') as KubeObject) : undefined,
      fieldValidation: task.fieldValidation ?? '',
      // Storage waits 30 s for a review: webhook calls are cut so that the answer still arrives.
      deadline: Date.now() + REVIEW_BUDGET_MS,
      ...(hasObject ? { body: task.object } : {}),
    });
    const annotations = Object.keys(outcome.auditAnnotations).length > 0 ? { auditAnnotations: outcome.auditAnnotations } : {};
    if (outcome.object === undefined) return { ok: true, object: new Uint8Array(), warnings: outcome.warnings, ...annotations };
    if (!outcome.changed && hasObject) return { ok: true, warnings: outcome.warnings, ...annotations };
    return { ok: true, object: encoder.encode(JSON.stringify(outcome.object)), warnings: outcome.warnings, ...annotations };
  } catch (err) {
    return { ok: false, status: toStatusError(err).status };
  }
}
