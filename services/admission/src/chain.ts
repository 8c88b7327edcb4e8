// The admission chain one request goes through, in kube-apiserver's order:
//
//   decode      the body as the Go decoder sees it: type errors and strict unknown fields (400),
//               pruning and canonical forms (schema-validator), then OpenAPI defaults (defaulter)
//   mutate      every plugin's mutate hook, in order (later: LimitRanger, ServiceAccount,
//               mutating webhooks, mutating CEL policies ...)
//   validate    the schema step: required and enum (422 Invalid), re-derived from the mutated
//               object when a plugin mutated it
//   validate    every plugin's validate hook, in order (later: NamespaceLifecycle, ResourceQuota,
//               PodSecurity, validating webhooks, ValidatingAdmissionPolicy ...)
//
// Plugins see objects, never storage. A plugin rejects by throwing a StatusError; anything else
// it throws becomes an InternalError. Warnings from every stage are returned in order.

import {
  type FieldError,
  type GroupKind,
  type KubeObject,
  type UserInfo,
  fieldPath,
  isStatusError,
  newInternalError,
  newInvalid,
  notSupported,
  type StatusError,
  toStatusError,
} from '@kapi/apimachinery';
import type { Defaulter } from './defaulter.js';
import type { RequestTarget } from './request-target.js';
import { type FieldValidation, type SchemaValidator, parseFieldValidation } from './schema-validator.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What a plugin sees of one request (admission.Attributes). */
export interface AdmissionAttributes extends Readonly<RequestTarget> {
  readonly operation: Operation;
  /** The object being written; mutating plugins may change it in place or replace it. Absent
   * for DELETE and CONNECT. */
  object: KubeObject | undefined;
  /** The stored object an UPDATE or DELETE starts from. */
  readonly oldObject: KubeObject | undefined;
  readonly fieldValidation: FieldValidation;
}

/** Services a plugin may use while it runs. */
export interface PluginContext {
  /** Adds a warning for the client (returned in the Warning header). */
  warn(message: string): void;
  /** Epoch milliseconds by which the review must be done (webhook calls are cut to it). */
  readonly deadline?: number;
  /** Adds an annotation to the request's audit events (the first value of a key stays). */
  addAuditAnnotation?(key: string, value: string): void;
}

/** One admission plugin: a mutate hook, a validate hook, or both. */
export interface AdmissionPlugin {
  readonly name: string;
  /** Whether the plugin applies to this request at all (default: every request). */
  handles?(attributes: AdmissionAttributes): boolean;
  /** May change `attributes.object`; rejects by throwing a StatusError. */
  mutate?(attributes: AdmissionAttributes, context: PluginContext): void | Promise<void>;
  /** Must not change anything; rejects by throwing a StatusError. */
  validate?(attributes: AdmissionAttributes, context: PluginContext): void | Promise<void>;
}

/** The raw request, before the chain parses anything. */
export interface AdmissionInput {
  operation: string;
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The object as parsed JSON (absent for DELETE/CONNECT). */
  object: unknown;
  oldObject: KubeObject | undefined;
  dryRun: boolean;
  /** The request parameter as sent: '', 'Strict', 'Warn' or 'Ignore'. */
  fieldValidation: string;
  user: UserInfo | undefined;
  /** The body bytes, for the message of an undecodable body that names no kind. */
  body?: Uint8Array;
  /** Epoch milliseconds by which the review must be done (handed to plugins). */
  deadline?: number;
}

export interface AdmissionOutcome {
  /** The admitted object (undefined for DELETE/CONNECT). */
  object: KubeObject | undefined;
  /** Whether the chain changed the object (the caller may reuse the input bytes when not). */
  changed: boolean;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

export interface ChainOptions {
  validator: SchemaValidator;
  defaulter: Defaulter;
  /** The type strategies' validation (ObjectMeta and per-type rules), run with the schema step. */
  strategy?: (attributes: AdmissionAttributes) => FieldError[];
  /** The types' Go-code defaults, applied right after the OpenAPI defaults; returns whether the
   * object changed (types/index.ts applyTypeDefaults). */
  typeDefaults?: (attributes: AdmissionAttributes) => boolean;
  plugins?: readonly AdmissionPlugin[];
  /** Runs before the plugins of every review (the dynamic configuration's refresh). */
  prepare?: () => Promise<void>;
}

const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
const OPTIONS_KIND: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions' };

/** kube's rejection of a fieldValidation value it does not know. */
function invalidFieldValidation(operation: string, value: string): StatusError {
  const errs: FieldError[] = [notSupported(fieldPath('fieldValidation'), value, ['Ignore', 'Strict', 'Warn'])];
  return newInvalid({ group: 'meta.k8s.io', kind: OPTIONS_KIND[operation] ?? 'UpdateOptions' }, '', errs);
}

function nameOf(object: unknown, fallback: string): string {
  const meta = (object as KubeObject | undefined)?.metadata;
  return typeof meta?.name === 'string' ? meta.name : fallback;
}

export class AdmissionChain {
  private readonly validator: SchemaValidator;
  private readonly defaulter: Defaulter;
  private readonly plugins: readonly AdmissionPlugin[];
  private readonly strategy: ((attributes: AdmissionAttributes) => FieldError[]) | undefined;
  private readonly typeDefaults: ((attributes: AdmissionAttributes) => boolean) | undefined;
  private readonly prepare: (() => Promise<void>) | undefined;

  constructor(options: ChainOptions) {
    this.prepare = options.prepare;
    this.validator = options.validator;
    this.defaulter = options.defaulter;
    this.strategy = options.strategy;
    this.typeDefaults = options.typeDefaults;
    this.plugins = [...(options.plugins ?? [])];
  }

  get pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  /** Runs the whole chain on one request. Rejects with a StatusError. */
  async admit(input: AdmissionInput): Promise<AdmissionOutcome> {
    if (!OPERATIONS.has(input.operation)) {
      throw newInternalError(`unknown admission operation ${JSON.stringify(input.operation)}`);
    }
    const operation = input.operation as Operation;
    const fieldValidation = parseFieldValidation(input.fieldValidation);
    if (fieldValidation === undefined) throw invalidFieldValidation(operation, input.fieldValidation);
    const writes = operation === 'CREATE' || operation === 'UPDATE';
    if (writes && (typeof input.object !== 'object' || input.object === null)) {
      // Storage always sends an object; anything else is a bug upstream of here.
      throw newInternalError(`admission ${operation} without an object`);
    }

    const warnings: string[] = [];
    const kindInfo = writes ? this.validator.forKind(input.group, input.version, input.kind) : undefined;
    const decodeOptions = {
      kind: input.kind,
      version: input.version,
      checkStatus: input.subresource === 'status',
      ...(input.body ? { body: input.body } : {}),
    };

    // 1. Decode (400s), then OpenAPI defaults.
    let object: unknown = writes ? input.object : undefined;
    let changed = false;
    let fieldErrors: FieldError[] = [];
    if (kindInfo) {
      const decoded = kindInfo.decode(object, { ...decodeOptions, fieldValidation });
      object = decoded.object;
      changed = decoded.changed;
      fieldErrors = decoded.fieldErrors;
      warnings.push(...decoded.warnings);
      if (this.defaulter.apply(kindInfo.definition, object)) changed = true;
    }

    const attributes: AdmissionAttributes = {
      operation,
      group: input.group,
      version: input.version,
      kind: input.kind,
      resource: input.resource,
      subresource: input.subresource,
      namespace: input.namespace,
      name: input.name,
      object: object as KubeObject | undefined,
      oldObject: input.oldObject,
      dryRun: input.dryRun,
      fieldValidation,
      user: input.user,
    };
    if (writes && kindInfo && this.typeDefaults?.(attributes)) changed = true;
    const auditAnnotations: Record<string, string> = {};
    const context: PluginContext = {
      warn: (message) => warnings.push(message),
      addAuditAnnotation: (key, value) => {
        if (!(key in auditAnnotations)) auditAnnotations[key] = value;
      },
      ...(input.deadline !== undefined ? { deadline: input.deadline } : {}),
    };

    // 2. Mutating plugins.
    await this.prepare?.();
    let mutated = false;
    for (const plugin of this.plugins) {
      if (!plugin.mutate || (plugin.handles && !plugin.handles(attributes))) continue;
      await runHook(plugin, 'mutate', () => plugin.mutate!(attributes, context));
      mutated = true;
    }
    // Plugins change objects in place, so a plugin that ran may have changed it.
    if (mutated) changed = true;

    // 3. The schema step: a mutated object is decoded and defaulted again (a plugin's unknown
    //    fields are dropped silently; a plugin that breaks the types is a server error, not the
    //    user's), and its required/enum errors replace those of the original.
    if (kindInfo && mutated) {
      let redecoded;
      try {
        redecoded = kindInfo.decode(attributes.object, { ...decodeOptions, fieldValidation: 'Ignore' });
      } catch (err) {
        throw newInternalError(`admission plugins produced an undecodable object: ${toStatusError(err).message}`);
      }
      attributes.object = redecoded.object as KubeObject;
      this.defaulter.apply(kindInfo.definition, attributes.object);
      this.typeDefaults?.(attributes);
      fieldErrors = redecoded.fieldErrors;
    }
    // Strategy errors (ObjectMeta first, as kube's validation lists them) join the schema's in
    // one 422.
    // A schema error the type's own validation also reports (same text) is listed once, where
    // kube's validation puts it.
    if (writes && this.strategy) {
      const strategyErrors = this.strategy(attributes);
      const reported = new Set(strategyErrors.map((e) => e.errorString()));
      fieldErrors = [...strategyErrors, ...fieldErrors.filter((e) => !reported.has(e.errorString()))];
    }
    if (fieldErrors.length > 0) {
      const gk: GroupKind = { group: input.group, kind: input.kind };
      throw newInvalid(gk, nameOf(attributes.object, input.name), fieldErrors);
    }

    // 4. Validating plugins.
    for (const plugin of this.plugins) {
      if (!plugin.validate || (plugin.handles && !plugin.handles(attributes))) continue;
      await runHook(plugin, 'validate', () => plugin.validate!(attributes, context));
    }

    return { object: attributes.object, changed, warnings, auditAnnotations };
  }
}

/** Runs a plugin hook; its StatusErrors pass through, anything else becomes an InternalError. */
async function runHook(plugin: AdmissionPlugin, hook: string, run: () => void | Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (isStatusError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw newInternalError(`admission plugin ${JSON.stringify(plugin.name)} failed to ${hook}: ${message}`);
  }
}
