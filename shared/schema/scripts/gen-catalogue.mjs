// Builds data/catalogue.json — every resource of every GA group/version that the Kubernetes 1.36
// OpenAPI v2 document (data/kubernetes-1.36-swagger.json) serves — as kube-apiserver 1.36 advertises
// it in discovery, plus the facts the document does not carry (short names, categories, name
// validation, etcd key prefixes, discovery order), which live in the small tables below, each naming
// the kube-apiserver source it restates.
//
// Usage: node scripts/gen-catalogue.mjs   (or: npm run gen:catalogue -w @kapi/schema)
// The module also exports buildCatalogue(document) so a test can check the committed file is current.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SWAGGER = new URL('../data/kubernetes-1.36-swagger.json', import.meta.url);
const OUTPUT = new URL('../data/catalogue.json', import.meta.url);

/** GA versions only: v1, v2, ... (no alpha/beta). */
const GA_VERSION = /^v\d+$/;

// ---------------------------------------------------------------------------------------------
// Discovery order.
//
// kube-apiserver orders API groups by APIService GroupPriorityMinimum (highest first), ties broken
// by name, and versions inside a group by VersionPriority (highest first), ties broken by
// kube-aware version order. Source: pkg/controlplane/apiserver/aggregator.go
// DefaultGenericAPIServicePriorities() merged with cmd/kube-apiserver/app/aggregator.go
// apiVersionPriorities (1.36); group sort in staging/src/k8s.io/apiserver/pkg/endpoints/discovery/
// aggregated/handler.go and kube-aggregator's apiregistration/v1/helper (priority desc, then name).
// The core group is served at /api and comes first; apiregistration.k8s.io is kube-aggregator's own
// group, which it always lists ahead of every APIService (kube-aggregator pkg/apiserver/handler_apis.go).
const LEADING_GROUPS = ['', 'apiregistration.k8s.io'];

/** group -> { group priority, GA version -> version priority } */
const PRIORITIES = {
  '': { group: 18000, versions: { v1: 1 } },
  apps: { group: 17800, versions: { v1: 15 } },
  'events.k8s.io': { group: 17750, versions: { v1: 15 } },
  'authentication.k8s.io': { group: 17700, versions: { v1: 15 } },
  'authorization.k8s.io': { group: 17600, versions: { v1: 15 } },
  autoscaling: { group: 17500, versions: { v2: 30, v1: 15 } },
  batch: { group: 17400, versions: { v1: 15 } },
  'certificates.k8s.io': { group: 17300, versions: { v1: 15 } },
  'networking.k8s.io': { group: 17200, versions: { v1: 15 } },
  policy: { group: 17100, versions: { v1: 15 } },
  'rbac.authorization.k8s.io': { group: 17000, versions: { v1: 15 } },
  'storage.k8s.io': { group: 16800, versions: { v1: 15 } },
  'apiextensions.k8s.io': { group: 16700, versions: { v1: 15 } },
  'admissionregistration.k8s.io': { group: 16700, versions: { v1: 15 } },
  'scheduling.k8s.io': { group: 16600, versions: { v1: 15 } },
  'coordination.k8s.io': { group: 16500, versions: { v1: 15 } },
  'node.k8s.io': { group: 16300, versions: { v1: 15 } },
  'discovery.k8s.io': { group: 16200, versions: { v1: 15 } },
  'resource.k8s.io': { group: 16200, versions: { v1: 15 } },
  'flowcontrol.apiserver.k8s.io': { group: 16100, versions: { v1: 21 } },
  'internal.apiserver.k8s.io': { group: 16000, versions: {} },
  'storagemigration.k8s.io': { group: 15800, versions: {} },
};

// ---------------------------------------------------------------------------------------------
// Short names and categories, keyed "<group>/<resource>" (version independent: both come from the
// resource's REST storage). Source: ShortNames() and Categories() of the storages in
// pkg/registry/**/storage/storage.go (kube-aggregator pkg/registry/apiservice/etcd/etcd.go for
// apiservices, apiextensions-apiserver pkg/registry/customresourcedefinition/etcd.go for CRDs), as
// kube-apiserver serves them (kubernetes' api/discovery/aggregated_v2.json and api__v1.json).
// Resources not listed have neither.
const SHORT_NAMES = {
  '/componentstatuses': ['cs'],
  '/configmaps': ['cm'],
  '/endpoints': ['ep'],
  '/events': ['ev'],
  '/limitranges': ['limits'],
  '/namespaces': ['ns'],
  '/nodes': ['no'],
  '/persistentvolumeclaims': ['pvc'],
  '/persistentvolumes': ['pv'],
  '/pods': ['po'],
  '/replicationcontrollers': ['rc'],
  '/resourcequotas': ['quota'],
  '/serviceaccounts': ['sa'],
  '/services': ['svc'],
  'apps/daemonsets': ['ds'],
  'apps/deployments': ['deploy'],
  'apps/replicasets': ['rs'],
  'apps/statefulsets': ['sts'],
  'events.k8s.io/events': ['ev'],
  'autoscaling/horizontalpodautoscalers': ['hpa'],
  'batch/cronjobs': ['cj'],
  'certificates.k8s.io/certificatesigningrequests': ['csr'],
  'networking.k8s.io/ingresses': ['ing'],
  'networking.k8s.io/ipaddresses': ['ip'],
  'networking.k8s.io/networkpolicies': ['netpol'],
  'policy/poddisruptionbudgets': ['pdb'],
  'storage.k8s.io/storageclasses': ['sc'],
  'storage.k8s.io/volumeattributesclasses': ['vac'],
  'apiextensions.k8s.io/customresourcedefinitions': ['crd', 'crds'],
  'scheduling.k8s.io/priorityclasses': ['pc'],
};

const CATEGORIES = {
  '/pods': ['all'],
  '/replicationcontrollers': ['all'],
  '/services': ['all'],
  'apps/daemonsets': ['all'],
  'apps/deployments': ['all'],
  'apps/replicasets': ['all'],
  'apps/statefulsets': ['all'],
  'autoscaling/horizontalpodautoscalers': ['all'],
  'batch/cronjobs': ['all'],
  'batch/jobs': ['all'],
  'apiregistration.k8s.io/apiservices': ['api-extensions'],
  'apiextensions.k8s.io/customresourcedefinitions': ['api-extensions'],
  'admissionregistration.k8s.io/mutatingadmissionpolicies': ['api-extensions'],
  'admissionregistration.k8s.io/mutatingadmissionpolicybindings': ['api-extensions'],
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': ['api-extensions'],
  'admissionregistration.k8s.io/validatingadmissionpolicies': ['api-extensions'],
  'admissionregistration.k8s.io/validatingadmissionpolicybindings': ['api-extensions'],
  'admissionregistration.k8s.io/validatingwebhookconfigurations': ['api-extensions'],
};

// ---------------------------------------------------------------------------------------------
// Name validation: the name function each strategy passes to ValidateObjectMeta on create. Most use
// NameIsDNSSubdomain (the default here). Every stored object also gets rest.BeforeCreate's
// ValidatePathSegmentName, so a strategy that validates no name format is "pathSegment".
// Keyed "<group>/<version>/<resource>" where the rule depends on the version, else "<group>/<resource>".
const NAME_VALIDATION = {
  // pkg/apis/core/validation: ValidateNamespaceName = NameIsDNSLabel.
  '/namespaces': 'dns1123Label',
  // pkg/apis/core/validation: ValidateServiceName = NameIsDNS1035Label.
  '/services': 'dns1035Label',
  // pkg/apis/core/validation ValidateEventCreate: requests to core v1 skip ValidateObjectMeta
  // ("no further validation for backwards compatibility"); events.k8s.io/v1 gets NameIsDNSSubdomain.
  '/v1/events': 'pathSegment',
  // pkg/apis/apps/validation: ValidateStatefulSetName = NameIsDNSLabel (pods are named after it).
  'apps/statefulsets': 'dns1123Label',
  // pkg/apis/rbac/validation: ValidateRBACName = path.IsValidPathSegmentName.
  'rbac.authorization.k8s.io/roles': 'pathSegment',
  'rbac.authorization.k8s.io/clusterroles': 'pathSegment',
  'rbac.authorization.k8s.io/rolebindings': 'pathSegment',
  'rbac.authorization.k8s.io/clusterrolebindings': 'pathSegment',
  // pkg/apis/certificates/validation: ValidateCertificateRequestName accepts any name.
  'certificates.k8s.io/certificatesigningrequests': 'pathSegment',
  // pkg/apis/policy/validation: ValidatePodDisruptionBudget validates the spec only.
  'policy/poddisruptionbudgets': 'pathSegment',
  // kube-aggregator pkg/apis/apiregistration/validation: IsValidPathSegmentName, and the name must
  // equal spec.version + "." + spec.group (a spec-dependent rule left to the strategy).
  'apiregistration.k8s.io/apiservices': 'pathSegment',
  // pkg/apis/networking/validation: ValidateIPAddressName requires an IP address, a rule the
  // NameValidation kinds cannot express; the path segment floor is recorded and the IPAddress
  // strategy must add the IP check.
  'networking.k8s.io/ipaddresses': 'pathSegment',
};
const NAME_VALIDATION_KINDS = new Set(['dns1123Subdomain', 'dns1123Label', 'dns1035Label', 'pathSegment']);

// ---------------------------------------------------------------------------------------------
// etcd key prefixes under /registry/. Default: the plural resource name
// (DefaultStorageFactory.ResourcePrefix). Exceptions: SpecialDefaultResourcePrefixes in
// pkg/kubeapiserver/default_storage_factory_builder.go, keyed "<group>/<resource>".
const SPECIAL_PREFIXES = {
  '/replicationcontrollers': 'controllers',
  '/endpoints': 'services/endpoints',
  '/nodes': 'minions',
  '/services': 'services/specs',
  'networking.k8s.io/ingresses': 'ingress',
};
// kube-aggregator and apiextensions-apiserver store through SimpleRestOptionsFactory, whose
// ResourcePrefix is "<group>/<resource>" (staging/src/k8s.io/apiserver/pkg/server/options/etcd.go).
const GROUP_PREFIXED_GROUPS = new Set(['apiregistration.k8s.io', 'apiextensions.k8s.io']);

// ---------------------------------------------------------------------------------------------
// Verbs. x-kubernetes-action values map to discovery verbs as the installer's toDiscoveryKubeVerb
// does (staging/src/k8s.io/apiserver/pkg/endpoints/installer.go). Watch support shows as the
// deprecated /watch/ paths (actions watch and watchlist), which the installer registers only for
// storages that implement rest.Watcher; the `watch` query parameter cannot tell, because the
// document declares it on every list operation (componentstatuses too, which cannot watch).
const ACTION_VERBS = {
  get: 'get',
  list: 'list',
  post: 'create',
  put: 'update',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'deletecollection',
  watch: 'watch',
  watchlist: 'watch',
};
// Connect actions (exec, attach, portforward, proxy) list the HTTP methods they accept; HEAD and
// OPTIONS have no discovery verb.
const CONNECT_METHOD_VERBS = { get: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch']);

// ---------------------------------------------------------------------------------------------

/** Splits an API path into group, version, namespaced flag, resource, subresource. */
function parsePath(path) {
  let group;
  let version;
  let rest;
  let match = /^\/api\/(v[^/]+)\/(.*)$/.exec(path);
  if (match) {
    group = '';
    [, version, rest] = match;
  } else if ((match = /^\/apis\/([^/]+)\/([^/]+)\/(.*)$/.exec(path))) {
    [, group, version, rest] = match;
  } else {
    return undefined; // /api/, /apis/, /version/, /logs/, /.well-known/...
  }
  if (rest === '') return undefined; // the group/version's own discovery document
  let segments = rest.split('/');
  const watchPath = segments[0] === 'watch';
  if (watchPath) segments = segments.slice(1);
  let namespaced = false;
  if (segments[0] === 'namespaces' && segments[1] === '{namespace}' && segments.length >= 3) {
    namespaced = true;
    segments = segments.slice(2);
  }
  const [resource, name, subresource, subpath, ...extra] = segments;
  const shapeOk =
    resource !== undefined &&
    !resource.startsWith('{') &&
    (name === undefined || name === '{name}') &&
    (subresource === undefined || !subresource.startsWith('{')) &&
    (subpath === undefined || subpath === '{path}') &&
    extra.length === 0;
  if (!shapeOk) throw new Error(`unexpected path shape: ${path}`);
  return { group, version, namespaced, resource, subresource, watchPath };
}

function gvkOf(operation, path) {
  const gvk = operation['x-kubernetes-group-version-kind'];
  if (!gvk) throw new Error(`operation ${operation.operationId} at ${path} has no x-kubernetes-group-version-kind`);
  return { group: gvk.group, version: gvk.version, kind: gvk.kind };
}

function sameGVK(a, b) {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** kube-aware version order (k8s.io/apimachinery/pkg/version CompareKubeAwareVersionStrings): GA
 * before beta before alpha, higher numbers first; anything else after, alphabetically. */
function compareKubeAwareVersions(a, b) {
  const parse = (v) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return { major: Number(m[1]), stability, minor: m[3] === undefined ? 0 : Number(m[3]) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    return pb.stability - pa.stability || pb.major - pa.major || pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function byCodeUnits(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function definitionIndex(definitions) {
  const byGVK = new Map();
  for (const [name, schema] of Object.entries(definitions)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
      if (byGVK.has(key)) throw new Error(`${key} is defined twice: ${byGVK.get(key)} and ${name}`);
      byGVK.set(key, name);
    }
  }
  return (gvk) => byGVK.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

function refName(ref) {
  const prefix = '#/definitions/';
  return typeof ref === 'string' && ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
}

/** Collects, per group/version/resource, what the paths of the document say about it. */
function collectResources(document) {
  const resources = new Map();
  for (const [path, item] of Object.entries(document.paths)) {
    const parsed = parsePath(path);
    if (!parsed || !GA_VERSION.test(parsed.version)) continue;
    const key = `${parsed.group}/${parsed.version}/${parsed.resource}`;
    let entry = resources.get(key);
    if (!entry) {
      entry = {
        group: parsed.group,
        version: parsed.version,
        resource: parsed.resource,
        namespaced: false,
        gvk: undefined,
        verbs: new Set(),
        listDefinition: undefined,
        subresources: new Map(),
      };
      resources.set(key, entry);
    }
    entry.namespaced ||= parsed.namespaced;
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const action = operation['x-kubernetes-action'];
      const gvk = gvkOf(operation, path);
      if (parsed.subresource === undefined) {
        if (entry.gvk && !sameGVK(entry.gvk, gvk)) throw new Error(`${path}: kind ${gvk.kind} differs from ${entry.gvk.kind}`);
        entry.gvk = gvk;
        const verb = ACTION_VERBS[action];
        if (!verb) throw new Error(`${path} ${method}: action ${action} has no discovery verb`);
        entry.verbs.add(verb);
        if (action === 'list') entry.listDefinition = refName(operation.responses?.['200']?.schema?.$ref);
      } else {
        let sub = entry.subresources.get(parsed.subresource);
        if (!sub) {
          sub = { name: parsed.subresource, gvk, verbs: new Set() };
          entry.subresources.set(parsed.subresource, sub);
        }
        if (!sameGVK(sub.gvk, gvk)) throw new Error(`${path}: kind ${gvk.kind} differs from ${sub.gvk.kind}`);
        const verb = action === 'connect' ? CONNECT_METHOD_VERBS[method] : ACTION_VERBS[action];
        if (verb) sub.verbs.add(verb);
        else if (action !== 'connect') throw new Error(`${path} ${method}: action ${action} has no discovery verb`);
      }
    }
  }
  return [...resources.values()];
}

function lookupTable(table, info) {
  return table[`${info.group}/${info.version}/${info.resource}`] ?? table[`${info.group}/${info.resource}`];
}

/** Fails on table rows that match no resource of the document (typos, removed APIs). */
function checkTableKeys(name, table, resources) {
  const known = new Set();
  for (const r of resources) {
    known.add(`${r.group}/${r.resource}`);
    known.add(`${r.group}/${r.version}/${r.resource}`);
  }
  for (const key of Object.keys(table)) {
    if (!known.has(key)) throw new Error(`${name}: ${key} is not a GA resource of the document`);
  }
}

function storagePrefix(info) {
  // Every etcd-backed registry store is a rest.Watcher; resources that cannot be watched (reviews,
  // bindings, componentstatuses) are computed per request and stored nowhere.
  if (!info.verbs.includes('watch')) return '';
  const special = SPECIAL_PREFIXES[`${info.group}/${info.resource}`];
  if (special) return special;
  if (GROUP_PREFIXED_GROUPS.has(info.group)) return `${info.group}/${info.resource}`;
  return info.resource;
}

function nameValidation(info) {
  // Resources without storage run no ObjectMeta validation at all: only the path segment rule of
  // the URL applies to whatever name they carry.
  const rule = lookupTable(NAME_VALIDATION, info) ?? (info.verbs.includes('watch') ? 'dns1123Subdomain' : 'pathSegment');
  if (!NAME_VALIDATION_KINDS.has(rule)) throw new Error(`unknown name validation ${rule}`);
  return rule;
}

function groupOrder(groups) {
  const priority = (group) => {
    const entry = PRIORITIES[group];
    if (!entry) throw new Error(`no discovery priority for group ${JSON.stringify(group)}: add it to PRIORITIES`);
    return entry.group;
  };
  return [...groups].sort((a, b) => {
    const ia = LEADING_GROUPS.indexOf(a);
    const ib = LEADING_GROUPS.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
    return priority(b) - priority(a) || byCodeUnits(a, b);
  });
}

function versionOrder(group, versions) {
  const table = PRIORITIES[group]?.versions ?? {};
  return [...versions].sort((a, b) => {
    if (table[a] === undefined || table[b] === undefined) {
      const missing = table[a] === undefined ? a : b;
      if (!LEADING_GROUPS.includes(group)) throw new Error(`no version priority for ${group}/${missing}`);
    }
    return (table[b] ?? 0) - (table[a] ?? 0) || compareKubeAwareVersions(a, b);
  });
}

/** The catalogue of the document: { groups: GroupInfo[], resources: ResourceInfo[] } in discovery order. */
export function buildCatalogue(document) {
  const definitionOf = definitionIndex(document.definitions);
  const collected = collectResources(document);
  for (const [name, table] of [['SHORT_NAMES', SHORT_NAMES], ['CATEGORIES', CATEGORIES], ['NAME_VALIDATION', NAME_VALIDATION], ['SPECIAL_PREFIXES', SPECIAL_PREFIXES]]) {
    checkTableKeys(name, table, collected);
  }

  const resources = collected.map((entry) => {
    const where = `${entry.group}/${entry.version}/${entry.resource}`;
    if (!entry.gvk) throw new Error(`${where}: only subresource paths, no kind for the resource itself`);
    if (entry.gvk.group !== entry.group || entry.gvk.version !== entry.version) {
      throw new Error(`${where}: served kind ${entry.gvk.group}/${entry.gvk.version} ${entry.gvk.kind} is of another group/version`);
    }
    const definition = definitionOf(entry.gvk);
    if (!definition) throw new Error(`${where}: no definition for kind ${entry.gvk.kind}`);
    let listKind = '';
    if (entry.listDefinition) {
      const listGVK = document.definitions[entry.listDefinition]?.['x-kubernetes-group-version-kind']?.[0];
      if (!listGVK) throw new Error(`${where}: list response ${entry.listDefinition} has no kind`);
      listKind = listGVK.kind;
    } else if (entry.verbs.has('list')) {
      throw new Error(`${where}: list operation without a response definition`);
    }
    const info = {
      group: entry.group,
      version: entry.version,
      kind: entry.gvk.kind,
      listKind,
      resource: entry.resource,
      singular: entry.gvk.kind.toLowerCase(),
      namespaced: entry.namespaced,
      verbs: [...entry.verbs].sort(byCodeUnits),
      subresources: [...entry.subresources.values()]
        .sort((a, b) => byCodeUnits(a.name, b.name))
        .map((sub) => ({ name: sub.name, ...sub.gvk, verbs: [...sub.verbs].sort(byCodeUnits) })),
      shortNames: [],
      categories: [],
      definition,
      nameValidation: 'dns1123Subdomain',
      storagePrefix: '',
      tracksGeneration: document.definitions[definition].properties?.spec !== undefined,
    };
    info.shortNames = [...(lookupTable(SHORT_NAMES, info) ?? [])];
    info.categories = [...(lookupTable(CATEGORIES, info) ?? [])];
    info.nameValidation = nameValidation(info);
    info.storagePrefix = storagePrefix(info);
    return info;
  });

  // Discovery never lists two resources of one group/version with the same kind, and
  // kube-apiserver keeps one etcd prefix per group/resource across versions.
  const kinds = new Set();
  const prefixes = new Map();
  for (const r of resources) {
    const kindKey = `${r.group}/${r.version}/${r.kind}`;
    if (kinds.has(kindKey)) throw new Error(`two resources serve ${kindKey}`);
    kinds.add(kindKey);
    const grKey = `${r.group}/${r.resource}`;
    if (prefixes.has(grKey) && prefixes.get(grKey) !== r.storagePrefix) throw new Error(`${grKey}: storage prefixes differ across versions`);
    prefixes.set(grKey, r.storagePrefix);
  }

  const versionsByGroup = new Map();
  for (const r of resources) {
    const versions = versionsByGroup.get(r.group) ?? new Set();
    versions.add(r.version);
    versionsByGroup.set(r.group, versions);
  }
  const groups = groupOrder(versionsByGroup.keys()).map((name) => {
    const versions = versionOrder(name, versionsByGroup.get(name));
    return { name, versions, preferredVersion: versions[0] };
  });

  const rank = new Map();
  groups.forEach((g, gi) => g.versions.forEach((v, vi) => rank.set(`${g.name}/${v}`, gi * 1000 + vi)));
  resources.sort(
    (a, b) => rank.get(`${a.group}/${a.version}`) - rank.get(`${b.group}/${b.version}`) || byCodeUnits(a.resource, b.resource),
  );
  return { groups, resources };
}

function main() {
  const document = JSON.parse(readFileSync(SWAGGER, 'utf8'));
  const catalogue = buildCatalogue(document);
  writeFileSync(OUTPUT, `${JSON.stringify(catalogue, null, 2)}\n`);
  const versions = catalogue.groups.reduce((n, g) => n + g.versions.length, 0);
  console.log(
    `wrote ${fileURLToPath(OUTPUT)}: ${catalogue.resources.length} resources in ${versions} group/versions of ${catalogue.groups.length} groups`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
