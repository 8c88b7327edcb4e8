// Per-resource behaviour of the generic registry: what kube-apiserver's RESTCreateStrategy /
// RESTUpdateStrategy / RESTDeleteStrategy of each type decide. The generic rules cover most
// resources; a small table holds the types that differ.

import type { KubeObject } from '@kapi/apimachinery';
import type { ResourceInfo } from '@kapi/schema';

export interface ResourceStrategy {
  /** Create may carry status only where the type allows it (kube resets it for types with a
   * status subresource, except nodes, whose status the kubelet posts at registration). */
  resetStatusOnCreate: boolean;
  /** PUT of a missing object creates it (Endpoints, Events, Leases). */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  returnDeletedObject: boolean;
  /** Overrides the catalogue's tracksGeneration for kinds with a spec whose kube strategy never
   * sets metadata.generation (namespaces, services, nodes, volumes, quotas ...). */
  tracksGeneration?: boolean;
  /** Type-specific changes after the generic create preparation, before admission. */
  prepareForCreate?(object: KubeObject): void;
  /** Type-specific changes to an update of the main resource (old is the stored object). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Field values a field selector can match, beyond metadata.name and metadata.namespace. */
  selectableFields?(object: KubeObject): Record<string, string>;
}

const DEFAULT_STRATEGY: ResourceStrategy = {
  resetStatusOnCreate: true,
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
  returnDeletedObject: false,
};

/** kube's namespace strategy: phase Active on create, the `kubernetes` finalizer, the
 * kubernetes.io/metadata.name label; spec.finalizers change only through /finalize. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const NAMESPACE_FINALIZER = 'kubernetes';

function labelNamespaceName(object: KubeObject): void {
  const metadata = (object.metadata ??= {});
  if (metadata.name) metadata.labels = { ...metadata.labels, [NAMESPACE_NAME_LABEL]: metadata.name };
}

const namespaceStrategy: ResourceStrategy = {
  ...DEFAULT_STRATEGY,
  returnDeletedObject: true,
  tracksGeneration: false,
  prepareForCreate(object) {
    object.status = { phase: 'Active' };
    const spec = (object.spec ?? {}) as { finalizers?: string[] };
    const finalizers = spec.finalizers ?? [];
    if (!finalizers.includes(NAMESPACE_FINALIZER)) finalizers.push(NAMESPACE_FINALIZER);
    object.spec = { ...spec, finalizers };
    labelNamespaceName(object);
  },
  prepareForUpdate(object, old) {
    object.spec = old.spec;
    labelNamespaceName(object);
  },
};

function podStatusFields(object: KubeObject): Record<string, string> {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const status = (object.status ?? {}) as Record<string, unknown>;
  return {
    'spec.nodeName': String(spec.nodeName ?? ''),
    'spec.restartPolicy': String(spec.restartPolicy ?? ''),
    'spec.schedulerName': String(spec.schedulerName ?? ''),
    'spec.serviceAccountName': String(spec.serviceAccountName ?? ''),
    'spec.hostNetwork': String(Boolean(spec.hostNetwork)),
    'status.phase': String(status.phase ?? ''),
    'status.podIP': String(status.podIP ?? ''),
    'status.nominatedNodeName': String(status.nominatedNodeName ?? ''),
  };
}

const podStrategy: ResourceStrategy = {
  ...DEFAULT_STRATEGY,
  returnDeletedObject: true,
  prepareForCreate(object) {
    object.status = { phase: 'Pending' };
  },
  selectableFields: podStatusFields,
};

const STRATEGIES: Record<string, ResourceStrategy> = {
  '/namespaces': namespaceStrategy,
  '/pods': podStrategy,
  '/services': { ...DEFAULT_STRATEGY, returnDeletedObject: true, tracksGeneration: false },
  '/nodes': { ...DEFAULT_STRATEGY, resetStatusOnCreate: false, tracksGeneration: false },
  '/persistentvolumes': { ...DEFAULT_STRATEGY, tracksGeneration: false },
  '/persistentvolumeclaims': { ...DEFAULT_STRATEGY, tracksGeneration: false },
  '/resourcequotas': { ...DEFAULT_STRATEGY, tracksGeneration: false },
  '/limitranges': { ...DEFAULT_STRATEGY, tracksGeneration: false },
  '/endpoints': { ...DEFAULT_STRATEGY, allowCreateOnUpdate: true },
  '/events': {
    ...DEFAULT_STRATEGY,
    allowCreateOnUpdate: true,
    selectableFields(object) {
      const involved = (object.involvedObject ?? {}) as Record<string, unknown>;
      const fields: Record<string, string> = { reason: String(object.reason ?? ''), type: String(object.type ?? '') };
      for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
        fields[`involvedObject.${key}`] = String(involved[key] ?? '');
      }
      fields['source'] = String(((object.source ?? {}) as Record<string, unknown>).component ?? '');
      return fields;
    },
  },
  '/secrets': {
    ...DEFAULT_STRATEGY,
    selectableFields: (object) => ({ type: String(object.type ?? '') }),
  },
  'coordination.k8s.io/leases': { ...DEFAULT_STRATEGY, allowCreateOnUpdate: true },
};

export function strategyFor(info: ResourceInfo): ResourceStrategy {
  return STRATEGIES[`${info.group}/${info.resource}`] ?? DEFAULT_STRATEGY;
}

/** Whether metadata.generation is kept (1 on create, +1 per spec change) for this resource. */
export function tracksGeneration(info: ResourceInfo): boolean {
  return strategyFor(info).tracksGeneration ?? info.tracksGeneration;
}
