// The Node authorizer (plugin/pkg/auth/authorizer/node): a kubelet (user system:node:<name> in
// group system:nodes) may read the secrets, configmaps, persistent volume claims and volumes,
// and request tokens for the service accounts, of the pods bound to its node — nothing else of
// those kinds — and may do what the system:node role lists for everything else. Other users get
// no opinion.
//
// kube keeps a graph of pods, volumes and secrets built from informers; kapi asks the watch
// cache for the pods on the node (field selector spec.nodeName) when a kubelet asks for one of
// the guarded kinds, and keeps the answer for a second per node (bounded).

import { ruleAllows, type KubeObject, type PolicyRule } from '@kapi/apimachinery';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, ResolvedRules } from './authorizer.js';

export const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';

/** What the authorizer reads: the pods bound to a node, and a claim (for its volume name). */
export interface NodeGraphSource {
  podsOnNode(node: string): Promise<KubeObject[]>;
  getPersistentVolumeClaim(namespace: string, name: string): Promise<KubeObject | undefined>;
}

const READ = ['get', 'list', 'watch'];

/** kube's NodeRules (bootstrap policy system:node), without the feature-gated leftovers. */
export const NODE_RULES: PolicyRule[] = [
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'localsubjectaccessreviews'] },
  { verbs: READ, apiGroups: [''], resources: ['services'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
  { verbs: READ, apiGroups: [''], resources: ['pods'] },
  { verbs: ['create', 'delete'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] },
  { verbs: ['get'], apiGroups: [''], resources: ['configmaps', 'secrets'] },
  { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'] },
  { verbs: ['get'], apiGroups: [''], resources: ['endpoints'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
  { verbs: ['get'], apiGroups: ['storage.k8s.io'], resources: ['volumeattachments'] },
  { verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] },
  { verbs: ['get', 'update', 'patch'], apiGroups: [''], resources: ['persistentvolumeclaims/status'] },
  { verbs: ['get', 'watch', 'list'], apiGroups: ['storage.k8s.io'], resources: ['csidrivers'] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['storage.k8s.io'], resources: ['csinodes'] },
  { verbs: READ, apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'] },
];

/** The node a user is, when it is one (nodeidentifier.NewDefaultNodeIdentifier). */
export function nodeIdentity(user: { username: string; groups?: string[] }): { isNode: boolean; name: string } {
  if (!user.username.startsWith(NODE_USER_PREFIX)) return { isNode: false, name: '' };
  if (!(user.groups ?? []).includes(NODES_GROUP)) return { isNode: false, name: '' };
  return { isNode: true, name: user.username.slice(NODE_USER_PREFIX.length) };
}

type Spec = Record<string, unknown>;

/** Names of objects of `kind` a pod refers to (graph_populator's pod edges). */
export function podReferences(pod: KubeObject): Record<'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts', Set<string>> {
  const refs = { secrets: new Set<string>(), configmaps: new Set<string>(), persistentvolumeclaims: new Set<string>(), serviceaccounts: new Set<string>() };
  const spec = ((pod as { spec?: Spec }).spec ?? {}) as Spec;
  const add = (set: Set<string>, name: unknown) => {
    if (typeof name === 'string' && name !== '') set.add(name);
  };
  add(refs.serviceaccounts, spec.serviceAccountName ?? 'default');
  for (const s of (spec.imagePullSecrets as Spec[] | undefined) ?? []) add(refs.secrets, s.name);
  const containers = [...((spec.initContainers as Spec[]) ?? []), ...((spec.containers as Spec[]) ?? []), ...((spec.ephemeralContainers as Spec[]) ?? [])];
  for (const c of containers) {
    for (const e of (c.envFrom as Spec[] | undefined) ?? []) {
      add(refs.secrets, (e.secretRef as Spec | undefined)?.name);
      add(refs.configmaps, (e.configMapRef as Spec | undefined)?.name);
    }
    for (const e of (c.env as Spec[] | undefined) ?? []) {
      const from = (e.valueFrom as Spec | undefined) ?? {};
      add(refs.secrets, (from.secretKeyRef as Spec | undefined)?.name);
      add(refs.configmaps, (from.configMapKeyRef as Spec | undefined)?.name);
    }
  }
  for (const v of (spec.volumes as Spec[] | undefined) ?? []) {
    add(refs.secrets, (v.secret as Spec | undefined)?.secretName);
    add(refs.configmaps, (v.configMap as Spec | undefined)?.name);
    add(refs.persistentvolumeclaims, (v.persistentVolumeClaim as Spec | undefined)?.claimName);
    for (const p of (((v.projected as Spec | undefined)?.sources as Spec[] | undefined) ?? [])) {
      add(refs.secrets, (p.secret as Spec | undefined)?.name);
      add(refs.configmaps, (p.configMap as Spec | undefined)?.name);
    }
    for (const key of ['azureFile', 'cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos', 'csi']) {
      const src = v[key] as Spec | undefined;
      if (!src) continue;
      add(refs.secrets, src.secretName);
      add(refs.secrets, (src.secretRef as Spec | undefined)?.name);
      add(refs.secrets, (src.nodePublishSecretRef as Spec | undefined)?.name);
    }
  }
  return refs;
}

const GUARDED = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);

export class NodeAuthorizer implements Authorizer {
  private readonly podsCache = new Map<string, { at: number; pods: Promise<KubeObject[]> }>();

  constructor(
    private readonly graph: NodeGraphSource,
    private readonly opts: { cacheTtlMs?: number; maxCachedNodes?: number; now?: () => number } = {},
  ) {}

  private pods(node: string): Promise<KubeObject[]> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.podsCache.get(node);
    if (hit && now - hit.at < (this.opts.cacheTtlMs ?? 1_000)) return hit.pods;
    if (this.podsCache.size >= (this.opts.maxCachedNodes ?? 1_000)) this.podsCache.clear();
    const pods = this.graph.podsOnNode(node);
    this.podsCache.set(node, { at: now, pods });
    pods.catch(() => this.podsCache.delete(node));
    return pods;
  }

  /** hasPathFrom(node, object): one of the node's pods refers to it (a volume through its claim). */
  private async related(node: string, resource: string, namespace: string, name: string): Promise<boolean> {
    const pods = await this.pods(node);
    for (const pod of pods) {
      const podNs = pod.metadata?.namespace ?? '';
      const refs = podReferences(pod);
      if (resource === 'persistentvolumes') {
        for (const claim of refs.persistentvolumeclaims) {
          const pvc = await this.graph.getPersistentVolumeClaim(podNs, claim);
          if (((pvc as { spec?: { volumeName?: string } } | undefined)?.spec?.volumeName ?? '') === name) return true;
        }
        continue;
      }
      if (podNs !== namespace) continue;
      const set = refs[resource as keyof typeof refs];
      if (set?.has(name)) return true;
    }
    return false;
  }

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    const id = nodeIdentity(a.user);
    if (!id.isNode) return { decision: 'no-opinion', reason: '' };
    if (id.name === '') return { decision: 'no-opinion', reason: 'unknown node' };
    const noRelation = `no relationship found between node '${id.name}' and this object`;
    if (a.resourceRequest && (a.apiGroup ?? '') === '') {
      const resource = a.resource ?? '';
      const sub = a.subresource ?? '';
      if (GUARDED.has(resource) && sub === '') {
        // Only reads of one named object; the graph decides.
        if (!['get', 'list', 'watch'].includes(a.verb) || !a.name) return { decision: 'no-opinion', reason: `can only read individual ${resource}` };
        if (a.verb !== 'get' && resource !== 'secrets' && resource !== 'configmaps') return { decision: 'no-opinion', reason: `can only get individual ${resource}` };
        return (await this.related(id.name, resource, a.namespace ?? '', a.name)) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: noRelation };
      }
      if (resource === 'serviceaccounts' && sub === 'token') {
        if (a.verb !== 'create' || !a.name) return { decision: 'no-opinion', reason: 'can only create tokens for individual service accounts' };
        return (await this.related(id.name, 'serviceaccounts', a.namespace ?? '', a.name)) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: noRelation };
      }
    }
    return NODE_RULES.some((r) => ruleAllows(a, r)) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' };
  }

  rulesFor(user: { username: string; groups?: string[] }): ResolvedRules {
    // kube: nodes do not have fully enumerable permissions.
    if (nodeIdentity(user).isNode) return { resourceRules: [], nonResourceRules: [], incomplete: true, errors: ['node authorizer does not support user rule resolution'] };
    return { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
  }
}
