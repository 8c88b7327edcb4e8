// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins
// (k8s.io/apiserver/pkg/admission/plugin/webhook/{mutating,validating}): the webhooks of every
// configuration that apply to the request (rules, namespaceSelector, objectSelector, CEL
// matchConditions) are called — mutating ones one after the other (configurations by name, then
// in order; their JSONPatches applied to the object; those with reinvocationPolicy IfNeeded run
// once more when a later webhook changed the object), validating ones all at once. failurePolicy
// (default Fail) decides what a failed call means; a dry-run request refuses webhooks with side
// effects; warnings go back to the client.

import { isStatusError, newBadRequest, newInternalError, StatusError, type KubeObject, type LabelSelector } from '@kapi/apimachinery';
import fastJSONPatch from 'fast-json-patch';
import { admissionRequest } from '../admission-request.js';
import type { AdmissionAttributes, AdmissionPlugin, PluginContext } from '../chain.js';
import { CelCompiler } from '../cel/compiler.js';
import { toCelValue } from '../cel/environment.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type RuleWithOperations } from '../matching.js';
import { callWebhook, denialStatus, WebhookCallError, type ClientConfig, type ServiceResolver } from './client.js';

interface Webhook {
  name: string;
  clientConfig: ClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelector | null;
  objectSelector?: LabelSelector | null;
  sideEffects?: string;
  timeoutSeconds?: number;
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchConditions?: { name: string; expression: string }[];
}

type Configuration = KubeObject & { webhooks?: Webhook[] };

export interface WebhookSource {
  mutating(): KubeObject[];
  validating(): KubeObject[];
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  resolveService?: ServiceResolver;
}

const DEFAULT_TIMEOUT_SECONDS = 10;
const MAX_TIMEOUT_SECONDS = 30;

/** The webhooks of the configurations, configurations in name order (kube sorts them so). */
function webhooksOf(configs: KubeObject[]): Webhook[] {
  return (configs as Configuration[])
    .slice()
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .flatMap((c) => c.webhooks ?? []);
}

export class WebhookDispatcher {
  private readonly compiler = new CelCompiler(['object', 'oldObject', 'request']);

  constructor(private readonly source: WebhookSource) {}

  /** Whether the webhook applies; throws (under failurePolicy Fail) when a match condition fails to evaluate. */
  private async applies(w: Webhook, a: AdmissionAttributes): Promise<boolean> {
    if (!(w.rules ?? []).some((r) => ruleMatches(r, a))) return false;
    if (!objectSelectorMatches(w.objectSelector, a)) return false;
    if (!(await namespaceSelectorMatches(w.namespaceSelector, a, (ns) => this.source.namespaceLabels(ns)))) return false;
    if ((w.matchConditions ?? []).length === 0) return true;
    const activation = toCelValue({ object: a.object ?? null, oldObject: a.oldObject ?? null, request: admissionRequest(a, '') }) as Record<string, unknown>;
    for (const cond of w.matchConditions!) {
      const compiled = this.compiler.compile(cond.expression);
      let result: unknown;
      try {
        if (!compiled.ok) throw new Error(`compilation failed: ${compiled.error}`);
        result = compiled.program(activation);
      } catch (err) {
        if ((w.failurePolicy ?? 'Fail') === 'Ignore') return false;
        throw newInternalError(`failed calling webhook ${JSON.stringify(w.name)}: failed to evaluate match condition ${JSON.stringify(cond.name)}: ${(err as Error).message}`);
      }
      if (result !== true) return false;
    }
    return true;
  }

  /** Calls one webhook; undefined when it failed and its failurePolicy is Ignore. */
  private async call(w: Webhook, a: AdmissionAttributes, context: PluginContext): Promise<Awaited<ReturnType<typeof callWebhook>> | undefined> {
    if (a.dryRun && w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun') {
      throw newBadRequest(`admission webhook ${JSON.stringify(w.name)} does not support dry run`);
    }
    const seconds = Math.min(MAX_TIMEOUT_SECONDS, Math.max(1, w.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS));
    const timeoutMs = Math.max(1, Math.min(seconds * 1000, context.deadline !== undefined ? context.deadline - Date.now() : Infinity));
    const request = admissionRequest(a) as Record<string, unknown> & { uid: string };
    try {
      const response = await callWebhook({ name: w.name, clientConfig: w.clientConfig, timeoutMs, request, resolveService: this.source.resolveService });
      for (const warning of response.warnings ?? []) context.warn(warning);
      // kube keys a webhook's audit annotations by its name
      for (const [key, value] of Object.entries(response.auditAnnotations ?? {})) context.addAuditAnnotation?.(`${w.name}/${key}`, value);
      return response;
    } catch (err) {
      if (!(err instanceof WebhookCallError)) throw err;
      if ((w.failurePolicy ?? 'Fail') === 'Ignore') return undefined;
      throw newInternalError(err.message);
    }
  }

  private static rejection(name: string, status: Parameters<typeof denialStatus>[1]): StatusError {
    const d = denialStatus(name, status);
    return new StatusError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: d.message,
      ...(d.reason ? { reason: d.reason as never } : {}),
      ...(d.details ? { details: d.details as never } : {}),
      code: d.code,
    });
  }

  /** The mutating webhooks, in order, with one reinvocation round. */
  async mutate(a: AdmissionAttributes, context: PluginContext): Promise<void> {
    const hooks = webhooksOf(this.source.mutating());
    if (hooks.length === 0) return;
    const invoked: Webhook[] = [];
    let changedAfterReinvocable = false;
    const run = async (w: Webhook): Promise<boolean> => {
      const response = await this.call(w, a, context);
      if (!response) return false;
      if (!response.allowed) throw WebhookDispatcher.rejection(w.name, response.status);
      if (!response.patch) return false;
      if (response.patchType !== undefined && response.patchType !== 'JSONPatch') {
        throw newInternalError(`failed calling webhook ${JSON.stringify(w.name)}: received invalid webhook response: unsupported patch type ${JSON.stringify(response.patchType)}`);
      }
      let ops: fastJSONPatch.Operation[];
      try {
        ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as fastJSONPatch.Operation[];
        a.object = fastJSONPatch.applyPatch(a.object, ops, true, false).newDocument as KubeObject;
      } catch (err) {
        throw newInternalError(`failed calling webhook ${JSON.stringify(w.name)}: JSONPatch could not be applied: ${(err as Error).message}`);
      }
      return ops.length > 0;
    };
    for (const w of hooks) {
      if (!(await this.applies(w, a))) continue;
      const changed = await run(w);
      if (changed && invoked.some((p) => p !== w && p.reinvocationPolicy === 'IfNeeded')) changedAfterReinvocable = true;
      invoked.push(w);
    }
    if (!changedAfterReinvocable) return;
    for (const w of invoked) {
      if (w.reinvocationPolicy !== 'IfNeeded') continue;
      if (await this.applies(w, a)) await run(w);
    }
  }

  /** The validating webhooks, all at once; the first denial (in webhook order) wins. */
  async validate(a: AdmissionAttributes, context: PluginContext): Promise<void> {
    const hooks = webhooksOf(this.source.validating());
    if (hooks.length === 0) return;
    const applicable: Webhook[] = [];
    for (const w of hooks) if (await this.applies(w, a)) applicable.push(w);
    const outcomes = await Promise.allSettled(applicable.map((w) => this.call(w, a, context)));
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.status === 'rejected') throw isStatusError(outcome.reason) ? outcome.reason : newInternalError(outcome.reason);
      const response = outcome.value;
      if (response && !response.allowed) throw WebhookDispatcher.rejection(applicable[i]!.name, response.status);
    }
  }
}

export function mutatingWebhookPlugin(dispatcher: WebhookDispatcher): AdmissionPlugin {
  return { name: 'MutatingAdmissionWebhook', mutate: (a, ctx) => dispatcher.mutate(a, ctx) };
}

export function validatingWebhookPlugin(dispatcher: WebhookDispatcher): AdmissionPlugin {
  return { name: 'ValidatingAdmissionWebhook', validate: (a, ctx) => dispatcher.validate(a, ctx) };
}
