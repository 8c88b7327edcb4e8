// Core-group types other than pods, services and endpoints: kube's printNamespace, printSecret,
// printConfigMap, printServiceAccount, printNode, printPersistentVolume,
// printPersistentVolumeClaim, printComponentStatus and printResourceQuota.

import { compareGoStrings } from '@kapi/apimachinery';
import {
  ageOf,
  arr,
  bool,
  isDeleting,
  mapSize,
  metadata,
  nameOf,
  optStr,
  quantityCell,
  rec,
  recs,
  str,
  type Obj,
} from './cells.js';
import { AGE_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

export const namespacePrinter = provider(
  [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), str(rec(obj.status).phase), ageOf(obj, now)],
);

export const secretPrinter = provider(
  [NAME_COLUMN, docColumn('Type', 'string', 'core/v1 Secret.type'), docColumn('Data', 'string', 'core/v1 Secret.data'), AGE_COLUMN],
  // stringData never reaches a stored Secret (it is merged into data on write).
  (obj, now) => [nameOf(obj), str(obj.type), mapSize(obj.data), ageOf(obj, now)],
);

export const configMapPrinter = provider(
  [NAME_COLUMN, docColumn('Data', 'string', 'core/v1 ConfigMap.data'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), mapSize(obj.data) + mapSize(obj.binaryData), ageOf(obj, now)],
);

export const serviceAccountPrinter = provider(
  [NAME_COLUMN, docColumn('Secrets', 'string', 'core/v1 ServiceAccount.secrets'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), arr(obj.secrets).length, ageOf(obj, now)],
);

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted. */
function nodeRoles(node: Obj): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(rec(metadata(node).labels))) {
    if (key.startsWith(NODE_ROLE_PREFIX)) {
      const role = key.slice(NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (key === NODE_ROLE_LABEL && str(value) !== '') {
      roles.add(str(value));
    }
  }
  return [...roles].sort(compareGoStrings);
}

/** printNode's STATUS: Ready / NotReady / Unknown, then SchedulingDisabled when cordoned. The last
 * Ready condition wins, as kube's map of conditions keeps the last one of a type. */
function nodeStatus(node: Obj): string {
  let ready: Obj | undefined;
  for (const c of recs(rec(node.status).conditions)) if (c.type === 'Ready') ready = c;
  const status: string[] = [];
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (bool(rec(node.spec).unschedulable)) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Obj, type: string): string {
  const address = recs(rec(node.status).addresses).find((a) => a.type === type);
  return address ? str(address.address) : '<none>';
}

export const nodePrinter = provider(
  [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    docColumn('Version', 'string', 'core/v1 NodeSystemInfo.kubeletVersion'),
    docColumn('Internal-IP', 'string', 'core/v1 NodeStatus.addresses', { priority: 1 }),
    docColumn('External-IP', 'string', 'core/v1 NodeStatus.addresses', { priority: 1 }),
    docColumn('OS-Image', 'string', 'core/v1 NodeSystemInfo.osImage', { priority: 1 }),
    docColumn('Kernel-Version', 'string', 'core/v1 NodeSystemInfo.kernelVersion', { priority: 1 }),
    docColumn('Container-Runtime', 'string', 'core/v1 NodeSystemInfo.containerRuntimeVersion', { priority: 1 }),
  ],
  (obj, now) => {
    const info = rec(rec(obj.status).nodeInfo);
    return [
      nameOf(obj),
      nodeStatus(obj),
      nodeRoles(obj).join(',') || '<none>',
      ageOf(obj, now),
      str(info.kubeletVersion),
      nodeAddress(obj, 'InternalIP'),
      nodeAddress(obj, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
);

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once, comma separated. */
export function accessModesString(modes: unknown): string {
  const present = new Set(arr(modes).map(str));
  const out: string[] = [];
  if (present.has('ReadWriteOnce')) out.push('RWO');
  if (present.has('ReadOnlyMany')) out.push('ROX');
  if (present.has('ReadWriteMany')) out.push('RWX');
  if (present.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation wins, then
 * spec.storageClassName. For claims a nil class name prints "". */
function storageClassOf(obj: Obj): string {
  const annotations = rec(metadata(obj).annotations);
  if (typeof annotations[BETA_STORAGE_CLASS_ANNOTATION] === 'string') return annotations[BETA_STORAGE_CLASS_ANNOTATION];
  return str(rec(obj.spec).storageClassName);
}

export const persistentVolumePrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Capacity', 'string', 'core/v1 PersistentVolumeSpec.capacity'),
    docColumn('Access Modes', 'string', 'core/v1 PersistentVolumeSpec.accessModes'),
    docColumn('Reclaim Policy', 'string', 'core/v1 PersistentVolumeSpec.persistentVolumeReclaimPolicy'),
    docColumn('Status', 'string', 'core/v1 PersistentVolumeStatus.phase'),
    docColumn('Claim', 'string', 'core/v1 PersistentVolumeSpec.claimRef'),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    docColumn('Reason', 'string', 'core/v1 PersistentVolumeStatus.reason'),
    AGE_COLUMN,
    docColumn('VolumeMode', 'string', 'core/v1 PersistentVolumeSpec.volumeMode', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const claimRef = spec.claimRef === undefined || spec.claimRef === null ? '' : `${str(rec(spec.claimRef).namespace)}/${str(rec(spec.claimRef).name)}`;
    return [
      nameOf(obj),
      quantityCell(rec(spec.capacity).storage),
      accessModesString(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      isDeleting(obj) ? 'Terminating' : str(status.phase),
      claimRef,
      storageClassOf(obj),
      optStr(spec.volumeAttributesClassName) ?? '<unset>',
      str(status.reason),
      ageOf(obj, now),
      optStr(spec.volumeMode) ?? '<unset>',
    ];
  },
);

export const persistentVolumeClaimPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Status', 'string', 'core/v1 PersistentVolumeClaimStatus.phase'),
    docColumn('Volume', 'string', 'core/v1 PersistentVolumeClaimSpec.volumeName'),
    docColumn('Capacity', 'string', 'core/v1 PersistentVolumeClaimStatus.capacity'),
    docColumn('Access Modes', 'string', 'core/v1 PersistentVolumeClaimStatus.accessModes'),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    docColumn('VolumeMode', 'string', 'core/v1 PersistentVolumeClaimSpec.volumeMode', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const bound = str(spec.volumeName) !== '';
    return [
      nameOf(obj),
      isDeleting(obj) ? 'Terminating' : str(status.phase),
      str(spec.volumeName),
      bound ? quantityCell(rec(status.capacity).storage) : '',
      bound ? accessModesString(status.accessModes) : '',
      storageClassOf(obj),
      optStr(spec.volumeAttributesClassName) ?? '<unset>',
      ageOf(obj, now),
      optStr(spec.volumeMode) ?? '<unset>',
    ];
  },
);

export const componentStatusPrinter = provider(
  [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the component conditions'),
    column('Message', 'string', 'Message of the component conditions'),
    column('Error', 'string', 'Error of the component conditions'),
  ],
  (obj) => {
    const healthy = recs(obj.conditions).find((c) => c.type === 'Healthy');
    if (!healthy) return [nameOf(obj), 'Unknown', '', ''];
    return [nameOf(obj), healthy.status === 'True' ? 'Healthy' : 'Unhealthy', str(healthy.message), str(healthy.error)];
  },
);

/** SortableResourceNames: resource names in Go string order. */
export const resourceQuotaPrinter = provider(
  [
    NAME_COLUMN,
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const status = rec(obj.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort(compareGoStrings)) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      target.push(`${resource}: ${quantityCell(used[resource])}/${quantityCell(hard[resource])}`);
    }
    return [nameOf(obj), requests.join(', '), limits.join(', '), ageOf(obj, now)];
  },
);
