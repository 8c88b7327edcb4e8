// kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as
// data: the cluster roles and bindings created at first start, labelled
// kubernetes.io/bootstrapping=rbac-defaults and annotated rbac.authorization.kubernetes.io/
// autoupdate=true. admin, edit and view are aggregated from the system:aggregate-to-* roles (and
// from any role a user labels the same way) by the aggregation controller.

import type { KubeObject } from '@kapi/apimachinery';

interface Rule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];

const rule = (verbs: string[], groups: string[], resources: string[], names?: string[]): Rule =>
  names ? { verbs, apiGroups: groups, resources, resourceNames: names } : { verbs, apiGroups: groups, resources };
const urls = (verbs: string[], ...nonResourceURLs: string[]): Rule => ({ verbs, nonResourceURLs });
const eventsRule = rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

interface RoleSpec {
  name: string;
  labels?: Record<string, string>;
  rules?: Rule[];
  aggregateFrom?: string;
}

const ROLES: RoleSpec[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], '*')] },
  { name: 'system:discovery', rules: [urls(['get'], '/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/')] },
  { name: 'system:monitoring', rules: [urls(['get'], '/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*')] },
  { name: 'system:basic-user', rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])] },
  { name: 'system:public-info-viewer', rules: [urls(['get'], '/healthz', '/livez', '/readyz', '/version', '/version/')] },
  { name: 'admin', aggregateFrom: AGG_ADMIN },
  { name: 'edit', labels: { [AGG_ADMIN]: 'true' }, aggregateFrom: AGG_EDIT },
  { name: 'view', labels: { [AGG_EDIT]: 'true' }, aggregateFrom: AGG_VIEW },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGG_ADMIN]: 'true' },
    rules: [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings'])],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGG_EDIT]: 'true' },
    rules: [
      rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      rule(['create'], [''], ['pods/eviction']),
      rule(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
      rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
      rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
      rule(WRITE, ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGG_VIEW]: 'true' },
    rules: [
      rule(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
      rule(READ, ['coordination.k8s.io'], ['leases']),
    ],
  },
  { name: 'system:heapster', rules: [rule(READ, [''], ['events', 'pods', 'nodes', 'namespaces']), rule(READ, ['extensions', 'apps'], ['deployments'])] },
  { name: 'system:node-problem-detector', rules: [rule(['get'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), eventsRule] },
  { name: 'system:kubelet-api-admin', rules: [rule(READ, [''], ['nodes']), rule(['proxy'], [''], ['nodes']), rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log'])] },
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  { name: 'system:auth-delegator', rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
  { name: 'system:kube-aggregator', rules: [rule(READ, [''], ['services', 'endpoints'])] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      eventsRule,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create', 'delete'], [''], ['secrets']),
      rule(['create'], [''], ['serviceaccounts']),
      rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      eventsRule,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, [''], ['nodes', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers', 'services']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  { name: 'system:kube-dns', rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])] },
  { name: 'system:persistent-volume-provisioner', rules: [rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']), rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']), rule(READ, ['storage.k8s.io'], ['storageclasses']), rule(['watch'], [''], ['events']), eventsRule] },
  { name: 'system:node-proxier', rules: [rule(['list', 'watch'], [''], ['services', 'endpoints']), rule(READ, [''], ['nodes']), eventsRule, rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])] },
  { name: 'system:volume-scheduler', rules: [rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), rule(READ, ['storage.k8s.io'], ['storageclasses']), rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
  { name: 'system:service-account-issuer-discovery', rules: [urls(['get'], '/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/')] },
  { name: 'system:node', rules: [] },
];

interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
}

const group = (name: string): Subject => ({ kind: 'Group', name });
const user = (name: string): Subject => ({ kind: 'User', name });

const BINDINGS: { name: string; role?: string; subjects: Subject[] }[] = [
  { name: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:volume-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  { name: 'system:node', subjects: [] },
];

const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  labels: { ...BOOTSTRAP_LABELS, ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

/** The bootstrap ClusterRoles, as rbac.authorization.k8s.io/v1 objects. */
export function bootstrapClusterRoles(): KubeObject[] {
  return ROLES.map((r) => {
    const obj: KubeObject & Record<string, unknown> = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(r.name, r.labels) };
    if (r.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [r.aggregateFrom]: 'true' } }] };
    else obj.rules = r.rules ?? [];
    return obj;
  });
}

/** The bootstrap ClusterRoleBindings (each named after its role). */
export function bootstrapClusterRoleBindings(): KubeObject[] {
  return BINDINGS.map((b) => {
    const obj: KubeObject & Record<string, unknown> = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(b.name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role ?? b.name },
    };
    if (b.subjects.length > 0) obj.subjects = b.subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s }));
    return obj;
  });
}
