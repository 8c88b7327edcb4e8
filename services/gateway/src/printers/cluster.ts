// Cluster-level configuration types: storage (printStorageClass, printVolumeAttributesClass,
// printVolumeAttachment, printCSIDriver, printCSINode, printCSIStorageCapacity), scheduling and
// node (printPriorityClass, printRuntimeClass), coordination (printLease), admission
// (printMutatingWebhook, printValidatingWebhook, printValidating/MutatingAdmissionPolicy[Binding]),
// flow control (printFlowSchema, printPriorityLevelConfiguration) and DRA (printDeviceClass,
// printResourceClaim, printResourceClaimTemplate, printResourceSlice). Defaults kube applies
// before printing (CSIDriver modes, PriorityClass preemption policy, priority-level queuing) are
// applied the same way.

import { compareGoStrings } from '@kapi/apimachinery';
import { ageOf, arr, bool, int, isDeleting, metadata, nameOf, optBool, optInt, optRec, optStr, quantityCell, rec, recs, str, type Obj } from './cells.js';
import { AGE_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

/** storageutil.IsDefaultAnnotation. */
function isDefaultStorageClass(obj: Obj): boolean {
  const annotations = rec(metadata(obj).annotations);
  return annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

export const storageClassPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Provisioner', 'string', 'storage/v1 StorageClass.provisioner'),
    docColumn('ReclaimPolicy', 'string', 'storage/v1 StorageClass.reclaimPolicy'),
    docColumn('VolumeBindingMode', 'string', 'storage/v1 StorageClass.volumeBindingMode'),
    docColumn('AllowVolumeExpansion', 'string', 'storage/v1 StorageClass.allowVolumeExpansion'),
    AGE_COLUMN,
  ],
  (obj, now) => [
    isDefaultStorageClass(obj) ? `${nameOf(obj)} (default)` : nameOf(obj),
    str(obj.provisioner),
    optStr(obj.reclaimPolicy) ?? 'Delete',
    optStr(obj.volumeBindingMode) ?? 'Immediate',
    bool(obj.allowVolumeExpansion),
    ageOf(obj, now),
  ],
);

export const volumeAttributesClassPrinter = provider(
  [NAME_COLUMN, docColumn('DriverName', 'string', 'storage/v1beta1 VolumeAttributesClass.driverName'), AGE_COLUMN],
  (obj, now) => {
    const isDefault = rec(metadata(obj).annotations)['volumeattributesclass.alpha.kubernetes.io/is-default-class'] === 'true';
    return [isDefault ? `${nameOf(obj)} (default)` : nameOf(obj), str(obj.driverName), ageOf(obj, now)];
  },
);

export const volumeAttachmentPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Attacher', 'string', 'storage/v1 VolumeAttachmentSpec.attacher', { format: 'name' }),
    docColumn('PV', 'string', 'storage/v1 VolumeAttachmentSource.persistentVolumeName'),
    docColumn('Node', 'string', 'storage/v1 VolumeAttachmentSpec.nodeName'),
    docColumn('Attached', 'boolean', 'storage/v1 VolumeAttachmentStatus.attached'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    return [nameOf(obj), str(spec.attacher), str(rec(spec.source).persistentVolumeName), str(spec.nodeName), bool(rec(obj.status).attached), ageOf(obj, now)];
  },
);

export const csiDriverPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('AttachRequired', 'boolean', 'storage/v1 CSIDriverSpec.attachRequired'),
    docColumn('PodInfoOnMount', 'boolean', 'storage/v1 CSIDriverSpec.podInfoOnMount'),
    docColumn('StorageCapacity', 'boolean', 'storage/v1 CSIDriverSpec.storageCapacity'),
    docColumn('TokenRequests', 'string', 'storage/v1 CSIDriverSpec.tokenRequests'),
    docColumn('RequiresRepublish', 'boolean', 'storage/v1 CSIDriverSpec.requiresRepublish'),
    docColumn('Modes', 'string', 'storage/v1 CSIDriverSpec.volumeLifecycleModes'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    // volumeLifecycleModes defaults to [Persistent] before kube prints it.
    const modes = arr(spec.volumeLifecycleModes).length > 0 ? arr(spec.volumeLifecycleModes).map(str).join(',') : 'Persistent';
    const tokenRequests = Array.isArray(spec.tokenRequests) ? recs(spec.tokenRequests).map((t) => str(t.audience)).join(',') : '<unset>';
    return [
      nameOf(obj),
      optBool(spec.attachRequired) ?? true,
      optBool(spec.podInfoOnMount) ?? false,
      optBool(spec.storageCapacity) ?? false,
      tokenRequests,
      optBool(spec.requiresRepublish) ?? false,
      modes,
      ageOf(obj, now),
    ];
  },
);

export const csiNodePrinter = provider(
  [NAME_COLUMN, column('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), arr(rec(obj.spec).drivers).length, ageOf(obj, now)],
);

export const csiStorageCapacityPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('StorageClassName', 'string', 'storage/v1 CSIStorageCapacity.storageClassName'),
    docColumn('Capacity', 'string', 'storage/v1 CSIStorageCapacity.capacity'),
  ],
  (obj) => [nameOf(obj), str(obj.storageClassName), obj.capacity === undefined || obj.capacity === null ? '<unset>' : quantityCell(obj.capacity)],
);

export const priorityClassPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Value', 'integer', 'scheduling/v1 PriorityClass.value'),
    docColumn('Global-Default', 'boolean', 'scheduling/v1 PriorityClass.globalDefault'),
    AGE_COLUMN,
    docColumn('PreemptionPolicy', 'string', 'scheduling/v1 PriorityClass.preemptionPolicy'),
  ],
  (obj, now) => [nameOf(obj), int(obj.value), bool(obj.globalDefault), ageOf(obj, now), optStr(obj.preemptionPolicy) ?? 'PreemptLowerPriority'],
);

/** kube takes this column's description from ObjectMeta's docs under "handler", which has none. */
export const runtimeClassPrinter = provider([NAME_COLUMN, column('Handler', 'string', ''), AGE_COLUMN], (obj, now) => [
  nameOf(obj),
  str(obj.handler),
  ageOf(obj, now),
]);

export const leasePrinter = provider(
  [NAME_COLUMN, docColumn('Holder', 'string', 'coordination/v1 LeaseSpec.holderIdentity'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), str(rec(obj.spec).holderIdentity), ageOf(obj, now)],
);

const WEBHOOKS_COLUMN = column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration');

export const webhookConfigurationPrinter = provider([NAME_COLUMN, WEBHOOKS_COLUMN, AGE_COLUMN], (obj, now) => [
  nameOf(obj),
  arr(obj.webhooks).length,
  ageOf(obj, now),
]);

const PARAM_KIND_COLUMN = column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy');

function paramKind(obj: Obj): string {
  const kind = optRec(rec(obj.spec).paramKind);
  return kind ? `${str(kind.apiVersion)}/${str(kind.kind)}` : '<unset>';
}

export const validatingAdmissionPolicyPrinter = provider(
  [NAME_COLUMN, column('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'), PARAM_KIND_COLUMN, AGE_COLUMN],
  (obj, now) => [nameOf(obj), arr(rec(obj.spec).validations).length, paramKind(obj), ageOf(obj, now)],
);

export const mutatingAdmissionPolicyPrinter = provider(
  [NAME_COLUMN, column('Mutations', 'integer', 'Mutation indicates the number of mutations rules defined in this configuration'), PARAM_KIND_COLUMN, AGE_COLUMN],
  (obj, now) => [nameOf(obj), arr(rec(obj.spec).mutations).length, paramKind(obj), ageOf(obj, now)],
);

/** fmt's %v of a []string: "[a b]". */
function goStringSlice(values: unknown): string {
  return `[${arr(values).map(str).join(' ')}]`;
}

/** The gogo-protobuf String() of a *metav1.LabelSelector, which kube prints for a paramRef selector. */
export function labelSelectorGoString(selector: Obj): string {
  const labels = rec(selector.matchLabels);
  const keys = Object.keys(labels).sort(compareGoStrings);
  const labelText = `map[string]string{${keys.map((k) => `${k}: ${str(labels[k])},`).join('')}}`;
  const expressions = recs(selector.matchExpressions)
    .map((e) => `LabelSelectorRequirement{Key:${str(e.key)},Operator:${str(e.operator)},Values:${goStringSlice(e.values)},},`)
    .join('');
  return `&LabelSelector{MatchLabels:${labelText},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}

function paramRefCell(obj: Obj): string {
  const ref = optRec(rec(obj.spec).paramRef);
  if (!ref) return '<unset>';
  if (str(ref.name).length > 0) return str(ref.namespace) !== '' ? `${str(ref.namespace)}/${str(ref.name)}` : `*/${str(ref.name)}`;
  const selector = optRec(ref.selector);
  return selector ? labelSelectorGoString(selector) : '<unset>';
}

export const admissionPolicyBindingPrinter = provider(
  [
    NAME_COLUMN,
    column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    AGE_COLUMN,
  ],
  (obj, now) => [nameOf(obj), str(rec(obj.spec).policyName), paramRefCell(obj), ageOf(obj, now)],
);

export const flowSchemaPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('PriorityLevel', 'string', 'flowcontrol/v1 PriorityLevelConfigurationReference.name'),
    docColumn('MatchingPrecedence', 'string', 'flowcontrol/v1 FlowSchemaSpec.matchingPrecedence'),
    docColumn('DistinguisherMethod', 'string', 'flowcontrol/v1 FlowSchemaSpec.distinguisherMethod'),
    AGE_COLUMN,
    column('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const method = optRec(spec.distinguisherMethod);
    const dangling = recs(rec(obj.status).conditions).find((c) => c.type === 'Dangling');
    return [
      nameOf(obj),
      str(rec(spec.priorityLevelConfiguration).name),
      int(spec.matchingPrecedence),
      method ? str(method.type) : '<none>',
      ageOf(obj, now),
      dangling ? str(dangling.status) : '?',
    ];
  },
  {
    // printFlowSchemaList sorts by FlowSchemaSequence: matching precedence, then name.
    order: (items) =>
      [...items].sort((a, b) => {
        const pa = int(rec(a.spec).matchingPrecedence);
        const pb = int(rec(b.spec).matchingPrecedence);
        return pa !== pb ? pa - pb : compareGoStrings(nameOf(a), nameOf(b));
      }),
  },
);

export const priorityLevelConfigurationPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Type', 'string', 'flowcontrol/v1 PriorityLevelConfigurationSpec.type'),
    docColumn('NominalConcurrencyShares', 'string', 'flowcontrol/v1 LimitedPriorityLevelConfiguration.nominalConcurrencyShares'),
    docColumn('Queues', 'string', 'flowcontrol/v1 QueuingConfiguration.queues'),
    docColumn('HandSize', 'string', 'flowcontrol/v1 QueuingConfiguration.handSize'),
    docColumn('QueueLengthLimit', 'string', 'flowcontrol/v1 QueuingConfiguration.queueLengthLimit'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    let ncs: unknown = '<none>';
    let queues: unknown = '<none>';
    let handSize: unknown = '<none>';
    let queueLengthLimit: unknown = '<none>';
    const limited = optRec(spec.limited);
    if (limited) {
      // flowcontrol/v1 defaulting: 30 shares; queuing 64 queues, hand size 8, 50 per queue.
      ncs = optInt(limited.nominalConcurrencyShares) ?? 30;
      const queuing = optRec(rec(limited.limitResponse).queuing);
      if (queuing) {
        queues = int(queuing.queues) || 64;
        handSize = int(queuing.handSize) || 8;
        queueLengthLimit = int(queuing.queueLengthLimit) || 50;
      }
    }
    return [nameOf(obj), str(spec.type), ncs, queues, handSize, queueLengthLimit, ageOf(obj, now)];
  },
);

export const nameAgePrinter = provider([NAME_COLUMN, AGE_COLUMN], (obj, now) => [nameOf(obj), ageOf(obj, now)]);

/** resourceClaimState: deleted / pending / allocated[,reserved]. */
function resourceClaimState(obj: Obj): string {
  const states: string[] = [];
  const status = rec(obj.status);
  if (isDeleting(obj)) states.push('deleted');
  if (status.allocation === undefined || status.allocation === null) {
    if (!isDeleting(obj)) states.push('pending');
  } else {
    states.push('allocated');
    if (arr(status.reservedFor).length > 0) states.push('reserved');
  }
  return states.join(',');
}

export const resourceClaimPrinter = provider(
  [NAME_COLUMN, column('State', 'string', 'A summary of the current state (allocated, pending, reserved, etc.).'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), resourceClaimState(obj), ageOf(obj, now)],
);

export const resourceSlicePrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Node', 'string', 'resource/v1beta1 ResourceSliceSpec.nodeName'),
    docColumn('Driver', 'string', 'resource/v1beta1 ResourceSliceSpec.driver'),
    docColumn('Pool', 'string', 'resource/v1beta1 ResourcePool.name'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    return [nameOf(obj), str(spec.nodeName), str(spec.driver), str(rec(spec.pool).name), ageOf(obj, now)];
  },
);
