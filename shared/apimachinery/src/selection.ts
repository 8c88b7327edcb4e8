// Which objects a list or watch selects (kube's storage.SelectionPredicate): a label selector, and
// a field selector over the fields each kind makes selectable (its GetAttrs and its field label
// conversion func, registered with the scheme in kube). The watch cache and the gateway's watch
// filter and storage's lists all need them, so the per-kind tables live here, in one place.

import type { KubeObject } from './types.js';
import { newFieldLabelNotSupported, newUnknownMetadataFieldSelector, parseFieldSelector } from './fields.js';
import { jsonObjectOrEmpty } from './json-object.js';
import { parseLabelSelector } from './labels.js';

/** A kind's field label conversion: the label to use (legacy aliases renamed), or a thrown 400. */
export type FieldLabelConversion = (label: string, value: string) => [string, string];

export interface KindFieldSelection {
  convertFieldLabel: FieldLabelConversion;
  /** Field values beyond metadata.name and metadata.namespace. */
  selectableFields?: (object: KubeObject) => Record<string, string>;
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** runtime.DefaultMetaV1FieldSelectorConversion. */
function metadataFieldLabels(label: string, value: string): [string, string] {
  if (label === 'metadata.name' || label === 'metadata.namespace') return [label, value];
  throw newUnknownMetadataFieldSelector(label);
}

function fieldLabels(accepted: readonly string[], aliases: Readonly<Record<string, string>> = {}): FieldLabelConversion {
  const known = new Set(accepted);
  return (label, value) => {
    const alias = aliases[label];
    if (alias !== undefined) return [alias, value];
    if (known.has(label)) return [label, value];
    throw newFieldLabelNotSupported(label);
  };
}

const EVENT_FIELD_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];

/** Keyed `<group>/<resource>` ('' group for core). */
const KINDS: Record<string, KindFieldSelection> = {
  '/namespaces': {
    convertFieldLabel: fieldLabels(['status.phase', 'metadata.name']),
    selectableFields: (object) => ({ 'status.phase': text(jsonObjectOrEmpty(object.status).phase) }),
  },
  '/pods': {
    convertFieldLabel: fieldLabels(
      [
        'metadata.name',
        'metadata.namespace',
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.podIPs',
        'status.nominatedNodeName',
      ],
      { 'spec.host': 'spec.nodeName' },
    ),
    selectableFields(object) {
      const spec = jsonObjectOrEmpty(object.spec);
      const status = jsonObjectOrEmpty(object.status);
      const podIPs = Array.isArray(status.podIPs) ? status.podIPs : [];
      return {
        'spec.nodeName': text(spec.nodeName),
        'spec.restartPolicy': text(spec.restartPolicy),
        'spec.schedulerName': text(spec.schedulerName),
        'spec.serviceAccountName': text(spec.serviceAccountName),
        'spec.hostNetwork': String(spec.hostNetwork === true),
        'status.phase': text(status.phase),
        'status.podIP': text(status.podIP ?? jsonObjectOrEmpty(podIPs[0]).ip),
        'status.nominatedNodeName': text(status.nominatedNodeName),
      };
    },
  },
  '/events': {
    convertFieldLabel: fieldLabels(EVENT_FIELD_LABELS),
    selectableFields(object) {
      const involved = jsonObjectOrEmpty(object.involvedObject);
      const fields: Record<string, string> = {};
      for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
        fields[`involvedObject.${key}`] = text(involved[key]);
      }
      fields.reason = text(object.reason);
      fields.reportingComponent = text(object.reportingComponent);
      fields.source = text(jsonObjectOrEmpty(object.source).component) || text(object.reportingComponent);
      fields.type = text(object.type);
      return fields;
    },
  },
  '/services': {
    convertFieldLabel: fieldLabels(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']),
    selectableFields: (object) => ({ 'spec.clusterIP': text(jsonObjectOrEmpty(object.spec).clusterIP), 'spec.type': text(jsonObjectOrEmpty(object.spec).type) }),
  },
  '/nodes': {
    convertFieldLabel: fieldLabels(['metadata.name', 'spec.unschedulable']),
    selectableFields: (object) => ({ 'spec.unschedulable': String(jsonObjectOrEmpty(object.spec).unschedulable === true) }),
  },
  '/replicationcontrollers': {
    convertFieldLabel: fieldLabels(['metadata.name', 'metadata.namespace', 'status.replicas']),
    selectableFields: (object) => ({ 'status.replicas': String(Number(jsonObjectOrEmpty(object.status).replicas ?? 0)) }),
  },
  '/secrets': {
    convertFieldLabel: fieldLabels(['type', 'metadata.namespace', 'metadata.name']),
    selectableFields: (object) => ({ type: text(object.type) }),
  },
};

const DEFAULT_SELECTION: KindFieldSelection = { convertFieldLabel: metadataFieldLabels };

/** The field selection rules of a resource. */
export function kindFieldSelection(group: string, resource: string): KindFieldSelection {
  return KINDS[`${group}/${resource}`] ?? DEFAULT_SELECTION;
}

/** A parsed label + field selector for one resource (storage.SelectionPredicate). */
export interface SelectionPredicate {
  /** Selects every object. */
  readonly everything: boolean;
  matches(object: KubeObject): boolean;
  /** The name a `metadata.name=x` field requirement pins, if any (kube's MatchesSingle). */
  readonly singleName: string | undefined;
}

/** Parses both selectors; throws the 400s kube gives for a bad selector or an unsupported field
 * label. */
export function newSelectionPredicate(group: string, resource: string, labelSelector: string, fieldSelector: string): SelectionPredicate {
  const selection = kindFieldSelection(group, resource);
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector).transform(selection.convertFieldLabel);
  const everything = labels.empty() && fields.empty();
  const singleName = fields.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
  return {
    everything,
    singleName,
    matches(object) {
      if (everything) return true;
      const metadata = object.metadata ?? {};
      if (!labels.matches(metadata.labels ?? {})) return false;
      if (fields.empty()) return true;
      return fields.matches({
        'metadata.name': metadata.name ?? '',
        'metadata.namespace': metadata.namespace ?? '',
        ...(selection.selectableFields?.(object) ?? {}),
      });
    },
  };
}
