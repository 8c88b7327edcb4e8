// Helpers for the per-type unit tests: attributes for a create or an update, and an admission
// chain wired as the worker wires it (schema, OpenAPI defaults, type defaults, strategy step).

import { type KubeObject, StatusError } from '@kapi/apimachinery';
import { builtinCatalogue, definitions } from '@kapi/schema';
import { type AdmissionAttributes, type AdmissionInput, AdmissionChain } from '../chain.js';
import { Defaulter } from '../defaulter.js';
import { SchemaValidator } from '../schema-validator.js';
import { strategyValidation } from '../strategy-validation.js';
import { applyTypeDefaults } from './index.js';

export function attributesFor(
  group: string,
  kind: string,
  object: KubeObject,
  oldObject?: KubeObject,
  subresource = '',
): AdmissionAttributes {
  return {
    operation: oldObject ? 'UPDATE' : 'CREATE',
    group,
    version: 'v1',
    kind,
    resource: '',
    subresource,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    object,
    oldObject,
    dryRun: false,
    fieldValidation: 'Strict',
    user: undefined,
  };
}

let shared: AdmissionChain | undefined;

/** The worker's chain (built once per test process). */
export function workerChain(): AdmissionChain {
  if (!shared) {
    const defs = definitions();
    shared = new AdmissionChain({
      validator: new SchemaValidator(defs),
      defaulter: new Defaulter(defs),
      strategy: strategyValidation(builtinCatalogue()),
      typeDefaults: applyTypeDefaults,
    });
  }
  return shared;
}

export function input(
  resource: string,
  group: string,
  version: string,
  kind: string,
  object: unknown,
  oldObject?: KubeObject,
): AdmissionInput {
  const meta = (object as KubeObject).metadata ?? {};
  return {
    operation: oldObject ? 'UPDATE' : 'CREATE',
    group,
    version,
    kind,
    resource,
    subresource: '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    object,
    oldObject,
    dryRun: false,
    fieldValidation: 'Strict',
    user: undefined,
  };
}

/** The object the chain admits, or the message it rejects with. */
export async function admit(i: AdmissionInput): Promise<{ object?: KubeObject; message?: string; error?: StatusError }> {
  try {
    const out = await workerChain().admit(i);
    return { object: out.object as KubeObject };
  } catch (err) {
    if (err instanceof StatusError) return { message: err.message, error: err };
    throw err;
  }
}
