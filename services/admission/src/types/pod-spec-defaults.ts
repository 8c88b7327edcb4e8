// The Go-code defaults of core/v1 pod specs (k8s.io/kubernetes pkg/apis/core/v1/defaults.go),
// shared by Pods, PodTemplates, ReplicationControllers and every workload's template:
// SetDefaults_PodSpec, _Container (and ephemeral containers), _ContainerPort, _Probe,
// _HTTPGetAction, _Volume and the volume sources' defaultMode, _ObjectFieldSelector,
// _ServiceAccountTokenProjection, _PersistentVolumeClaimSpec (ephemeral volumes). What only
// Pods get (SetDefaults_Pod: requests from limits, enableServiceLinks, host network ports) is in
// defaultPod.

import {
  type JsonObject,
  ensureObject,
  isObject,
  listAt,
  objectAt,
  setDefault,
  setDefaultString,
  stringAt,
  unset,
} from './json.js';
import { imageTag } from './image-name.js';

/** v1.DefaultTerminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** v1.SecretVolumeSourceDefaultMode and friends: 0644. */
const DEFAULT_MODE = 0o644;

/** Tracks whether a defaulting pass changed anything. */
class Changes {
  changed = false;
  add(v: boolean): void {
    if (v) this.changed = true;
  }
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** SetDefaults_PodSpec and everything below a PodSpec. Returns whether it changed anything. */
export function defaultPodSpec(spec: JsonObject): boolean {
  const c = new Changes();
  c.add(setDefaultString(spec, 'dnsPolicy', 'ClusterFirst'));
  c.add(setDefaultString(spec, 'restartPolicy', 'Always'));
  if (unset(spec, 'securityContext')) {
    spec.securityContext = {};
    c.add(true);
  }
  c.add(setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS));
  c.add(setDefaultString(spec, 'schedulerName', 'default-scheduler'));
  // DefaultHostNetworkHostPortsInPodTemplates is off: templates keep hostPort 0 (pods get it in
  // defaultPod).
  for (const list of CONTAINER_LISTS) {
    for (const container of listAt(spec, list)) if (isObject(container)) c.add(defaultContainer(container));
  }
  for (const volume of listAt(spec, 'volumes')) if (isObject(volume)) c.add(defaultVolume(volume));
  return c.changed;
}

/** SetDefaults_Container: pull policy by tag, termination message path and policy; then the
 * ports, probes, lifecycle handlers and env field references below it. */
function defaultContainer(container: JsonObject): boolean {
  const c = new Changes();
  if (stringAt(container, 'imagePullPolicy') === '') {
    container.imagePullPolicy = imageTag(stringAt(container, 'image')) === 'latest' ? 'Always' : 'IfNotPresent';
    c.add(true);
  }
  // Container.Resources is a struct, so kube always writes it (`"resources": {}` when empty).
  c.add(setDefault(container, 'resources', {}));
  c.add(setDefaultString(container, 'terminationMessagePath', '/dev/termination-log'));
  c.add(setDefaultString(container, 'terminationMessagePolicy', 'File'));
  for (const port of listAt(container, 'ports')) if (isObject(port)) c.add(setDefaultString(port, 'protocol', 'TCP'));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = objectAt(container, probe);
    if (p) c.add(defaultProbe(p));
  }
  const lifecycle = objectAt(container, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) {
    const handler = objectAt(lifecycle, hook);
    if (handler) c.add(defaultHandler(handler));
  }
  for (const env of listAt(container, 'env')) {
    const fieldRef = objectAt(objectAt(env, 'valueFrom'), 'fieldRef');
    if (fieldRef) c.add(setDefaultString(fieldRef, 'apiVersion', 'v1'));
  }
  return c.changed;
}

/** SetDefaults_Probe and its handler's defaults. */
function defaultProbe(probe: JsonObject): boolean {
  const c = new Changes();
  c.add(defaultHandler(probe));
  for (const [key, value] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (unset(probe, key) || probe[key] === 0) {
      probe[key] = value;
      c.add(true);
    }
  }
  return c.changed;
}

/** SetDefaults_HTTPGetAction (path "/", scheme HTTP) and SetDefaults_GRPCAction (service ""). */
function defaultHandler(handler: JsonObject): boolean {
  const c = new Changes();
  const httpGet = objectAt(handler, 'httpGet');
  if (httpGet) {
    c.add(setDefaultString(httpGet, 'path', '/'));
    c.add(setDefaultString(httpGet, 'scheme', 'HTTP'));
  }
  const grpc = objectAt(handler, 'grpc');
  if (grpc) c.add(setDefault(grpc, 'service', ''));
  return c.changed;
}

/** Every volume source member of v1.VolumeSource. */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

/** The volume source members a volume sets. */
export function volumeSourcesOf(volume: JsonObject): string[] {
  return VOLUME_SOURCES.filter((s) => !unset(volume, s));
}

/** SetDefaults_Volume (no source: an emptyDir) and the sources' own defaults. */
function defaultVolume(volume: JsonObject): boolean {
  const c = new Changes();
  if (volumeSourcesOf(volume).length === 0) {
    volume.emptyDir = {};
    c.add(true);
  }
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected'] as const) {
    const s = objectAt(volume, source);
    if (s) c.add(setDefault(s, 'defaultMode', DEFAULT_MODE));
  }
  for (const item of listAt(objectAt(volume, 'downwardAPI'), 'items')) {
    const fieldRef = objectAt(item, 'fieldRef');
    if (fieldRef) c.add(setDefaultString(fieldRef, 'apiVersion', 'v1'));
  }
  for (const projection of listAt(objectAt(volume, 'projected'), 'sources')) {
    const token = objectAt(projection, 'serviceAccountToken');
    if (token) c.add(setDefault(token, 'expirationSeconds', 3600));
    for (const item of listAt(objectAt(projection, 'downwardAPI'), 'items')) {
      const fieldRef = objectAt(item, 'fieldRef');
      if (fieldRef) c.add(setDefaultString(fieldRef, 'apiVersion', 'v1'));
    }
  }
  const hostPath = objectAt(volume, 'hostPath');
  if (hostPath) c.add(setDefault(hostPath, 'type', ''));
  const iscsi = objectAt(volume, 'iscsi');
  if (iscsi) c.add(setDefaultString(iscsi, 'iscsiInterface', 'default'));
  const rbd = objectAt(volume, 'rbd');
  if (rbd) {
    c.add(setDefaultString(rbd, 'pool', 'rbd'));
    c.add(setDefaultString(rbd, 'user', 'admin'));
    c.add(setDefaultString(rbd, 'keyring', '/etc/ceph/keyring'));
  }
  const azureDisk = objectAt(volume, 'azureDisk');
  if (azureDisk) {
    c.add(setDefault(azureDisk, 'cachingMode', 'ReadWrite'));
    c.add(setDefault(azureDisk, 'kind', 'Shared'));
    c.add(setDefault(azureDisk, 'fsType', 'ext4'));
    c.add(setDefault(azureDisk, 'readOnly', false));
  }
  const scaleIO = objectAt(volume, 'scaleIO');
  if (scaleIO) {
    c.add(setDefaultString(scaleIO, 'storageMode', 'ThinProvisioned'));
    c.add(setDefaultString(scaleIO, 'fsType', 'xfs'));
  }
  const claimSpec = objectAt(objectAt(objectAt(volume, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claimSpec) c.add(setDefault(claimSpec, 'volumeMode', 'Filesystem'));
  return c.changed;
}

/** SetDefaults_Pod: what Pods get beyond their spec's defaults (templates do not). */
export function defaultPod(pod: JsonObject): boolean {
  const c = new Changes();
  const spec = ensureObject(pod, 'spec');
  // Requests default to limits, container by container (init containers included).
  for (const list of ['containers', 'initContainers'] as const) {
    for (const container of listAt(spec, list)) {
      if (!isObject(container)) continue;
      const resources = objectAt(container, 'resources');
      const limits = objectAt(resources, 'limits');
      if (!resources || !limits) continue;
      const requests = ensureObject(resources, 'requests');
      for (const [name, value] of Object.entries(limits)) {
        if (!Object.hasOwn(requests, name)) {
          requests[name] = value;
          c.add(true);
        }
      }
    }
  }
  c.add(setDefault(spec, 'enableServiceLinks', true));
  c.add(defaultPodRequests(spec));
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers'] as const) {
      for (const container of listAt(spec, list)) {
        for (const port of listAt(container, 'ports')) {
          if (isObject(port) && (unset(port, 'hostPort') || port.hostPort === 0) && typeof port.containerPort === 'number') {
            port.hostPort = port.containerPort;
            c.add(true);
          }
        }
      }
    }
  }
  c.add(defaultPodSpec(spec));
  return c.changed;
}

/** Resources supported at pod level (resourcehelper.IsSupportedPodLevelResource). */
const POD_LEVEL_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory']);

/** defaultPodRequests (PodLevelResources, beta and on since 1.34): a pod-level limit without a
 * pod-level request becomes the request, unless some container requests that resource. */
function defaultPodRequests(spec: JsonObject): boolean {
  const resources = objectAt(spec, 'resources');
  const limits = objectAt(resources, 'limits');
  if (!resources || !limits) return false;
  const requested = new Set<string>();
  for (const list of ['containers', 'initContainers'] as const) {
    for (const container of listAt(spec, list)) {
      for (const name of Object.keys(objectAt(objectAt(container, 'resources'), 'requests') ?? {})) requested.add(name);
    }
  }
  const requests = objectAt(resources, 'requests') ?? {};
  let changed = false;
  for (const [name, limit] of Object.entries(limits)) {
    if (Object.hasOwn(requests, name) || !POD_LEVEL_RESOURCES.has(name) || requested.has(name)) continue;
    requests[name] = limit;
    changed = true;
  }
  if (changed) resources.requests = requests;
  return changed;
}

/** Defaults of a PodTemplateSpec's spec (templates get SetDefaults_PodSpec, not _Pod). */
export function defaultPodTemplateSpec(template: JsonObject | undefined): boolean {
  if (!template) return false;
  return defaultPodSpec(ensureObject(template, 'spec'));
}
