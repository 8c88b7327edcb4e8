// Builders for the plugin tests: admission attributes for a request and a collecting context.

import type { KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes, Operation } from '../chain.js';
import type { AuditingPluginContext } from './util.js';

export function attrs(init: {
  operation?: Operation;
  group?: string;
  version?: string;
  kind: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun?: boolean;
}): AdmissionAttributes {
  return {
    operation: init.operation ?? 'CREATE',
    group: init.group ?? '',
    version: init.version ?? 'v1',
    kind: init.kind,
    resource: init.resource,
    subresource: init.subresource ?? '',
    namespace: init.namespace ?? '',
    name: init.name ?? init.object?.metadata?.name ?? '',
    object: init.object,
    oldObject: init.oldObject,
    dryRun: init.dryRun ?? false,
    fieldValidation: 'Strict',
    user: undefined,
  } as AdmissionAttributes;
}

export function podAttrs(pod: KubeObject, namespace = 'ns', operation: Operation = 'CREATE'): AdmissionAttributes {
  return attrs({ operation, kind: 'Pod', resource: 'pods', namespace, object: pod });
}

export function collectingContext(): AuditingPluginContext & { warnings: string[]; audit: Record<string, string> } {
  const warnings: string[] = [];
  const audit: Record<string, string> = {};
  return {
    warnings,
    audit,
    warn: (m) => warnings.push(m),
    addAuditAnnotation: (k, v) => {
      audit[k] = v;
    },
  };
}

export function pod(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', ...metadata }, spec };
}
