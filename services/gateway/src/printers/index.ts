// The column providers of the built-in resources, by group/resource (and version where the served
// shape differs), with kube-apiserver's choice for each: the type's printer from
// pkg/printers/internalversion (registered in AddHandlers), the aggregator's APIService convertor,
// or — for built-in resources kube stores without a printer (roles, clusterroles, limitranges,
// customresourcedefinitions) — rest.NewDefaultTableConvertor's NAME and CREATED AT. Anything else
// (custom resources) gets undefined, which table.ts answers with NAME and AGE.

import { builtinCatalogue, type ResourceInfo } from '@kapi/schema';
import type { ColumnProvider, ColumnProviderLookup } from '../table.js';
import {
  certificateSigningRequestPrinter,
  clusterRoleBindingPrinter,
  horizontalPodAutoscalerPrinter,
  horizontalPodAutoscalerV1Printer,
  podDisruptionBudgetPrinter,
  roleBindingPrinter,
} from './access.js';
import { ageOf, metadata, nameOf, rec, recs, str } from './cells.js';
import {
  admissionPolicyBindingPrinter,
  csiDriverPrinter,
  csiNodePrinter,
  csiStorageCapacityPrinter,
  flowSchemaPrinter,
  leasePrinter,
  mutatingAdmissionPolicyPrinter,
  nameAgePrinter,
  priorityClassPrinter,
  priorityLevelConfigurationPrinter,
  resourceClaimPrinter,
  resourceSlicePrinter,
  runtimeClassPrinter,
  storageClassPrinter,
  validatingAdmissionPolicyPrinter,
  volumeAttachmentPrinter,
  volumeAttributesClassPrinter,
  webhookConfigurationPrinter,
} from './cluster.js';
import { AGE_COLUMN, NAME_COLUMN, column, provider } from './columns.js';
import {
  componentStatusPrinter,
  configMapPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core.js';
import { eventPrinter, eventsV1Printer } from './events.js';
import {
  endpointSlicePrinter,
  endpointsPrinter,
  ingressClassPrinter,
  ingressPrinter,
  ipAddressPrinter,
  networkPolicyPrinter,
  serviceCIDRPrinter,
  servicePrinter,
} from './networking.js';
import { podPrinter } from './pods.js';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  podTemplatePrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  scalePrinter,
  statefulSetPrinter,
} from './workloads.js';

/** kube-aggregator's APIService table convertor (pkg/registry/apiservice/etcd). */
const apiServicePrinter = provider(
  [
    NAME_COLUMN,
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const service = spec.service === undefined || spec.service === null ? 'Local' : `${str(rec(spec.service).namespace)}/${str(rec(spec.service).name)}`;
    let available = 'Unknown';
    const condition = recs(rec(obj.status).conditions).find((c) => c.type === 'Available');
    if (condition) {
      if (condition.status === 'True') available = 'True';
      else if (str(condition.reason).length > 0) available = `${str(condition.status)} (${str(condition.reason)})`;
      else available = str(condition.status);
    }
    return [nameOf(obj), service, available, ageOf(obj, now)];
  },
);

/** creationTimestamp as time.Time.UTC().Format(time.RFC3339); Go's zero time when unset. */
function createdAt(timestamp: unknown): string {
  const t = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(t)) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** rest.NewDefaultTableConvertor: NAME and CREATED AT (a "date" column kubectl prints verbatim). */
export const defaultTableConvertor: ColumnProvider = provider(
  [NAME_COLUMN, column('Created At', 'date', AGE_COLUMN.description)],
  (obj) => [nameOf(obj), createdAt(metadata(obj).creationTimestamp)],
);

/** Providers by "group/resource"; "group/version/resource" entries win for that version. */
const PRINTERS: ReadonlyMap<string, ColumnProvider> = new Map<string, ColumnProvider>([
  ['/pods', podPrinter],
  ['/podtemplates', podTemplatePrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/nodes', nodePrinter],
  ['/events', eventPrinter],
  ['/namespaces', namespacePrinter],
  ['/secrets', secretPrinter],
  ['/configmaps', configMapPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/persistentvolumes', persistentVolumePrinter],
  ['/persistentvolumeclaims', persistentVolumeClaimPrinter],
  ['/componentstatuses', componentStatusPrinter],
  ['/resourcequotas', resourceQuotaPrinter],
  ['events.k8s.io/events', eventsV1Printer],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['batch/jobs', jobPrinter],
  ['batch/cronjobs', cronJobPrinter],
  ['autoscaling/horizontalpodautoscalers', horizontalPodAutoscalerPrinter],
  ['autoscaling/v1/horizontalpodautoscalers', horizontalPodAutoscalerV1Printer],
  ['policy/poddisruptionbudgets', podDisruptionBudgetPrinter],
  ['rbac.authorization.k8s.io/rolebindings', roleBindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', clusterRoleBindingPrinter],
  ['certificates.k8s.io/certificatesigningrequests', certificateSigningRequestPrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['networking.k8s.io/networkpolicies', networkPolicyPrinter],
  ['networking.k8s.io/servicecidrs', serviceCIDRPrinter],
  ['networking.k8s.io/ipaddresses', ipAddressPrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['storage.k8s.io/storageclasses', storageClassPrinter],
  ['storage.k8s.io/volumeattributesclasses', volumeAttributesClassPrinter],
  ['storage.k8s.io/volumeattachments', volumeAttachmentPrinter],
  ['storage.k8s.io/csidrivers', csiDriverPrinter],
  ['storage.k8s.io/csinodes', csiNodePrinter],
  ['storage.k8s.io/csistoragecapacities', csiStorageCapacityPrinter],
  ['scheduling.k8s.io/priorityclasses', priorityClassPrinter],
  ['node.k8s.io/runtimeclasses', runtimeClassPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['admissionregistration.k8s.io/mutatingwebhookconfigurations', webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/validatingwebhookconfigurations', webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/validatingadmissionpolicies', validatingAdmissionPolicyPrinter],
  ['admissionregistration.k8s.io/validatingadmissionpolicybindings', admissionPolicyBindingPrinter],
  ['admissionregistration.k8s.io/mutatingadmissionpolicies', mutatingAdmissionPolicyPrinter],
  ['admissionregistration.k8s.io/mutatingadmissionpolicybindings', admissionPolicyBindingPrinter],
  ['flowcontrol.apiserver.k8s.io/flowschemas', flowSchemaPrinter],
  ['flowcontrol.apiserver.k8s.io/prioritylevelconfigurations', priorityLevelConfigurationPrinter],
  ['resource.k8s.io/deviceclasses', nameAgePrinter],
  ['resource.k8s.io/resourceclaims', resourceClaimPrinter],
  ['resource.k8s.io/resourceclaimtemplates', nameAgePrinter],
  ['resource.k8s.io/resourceslices', resourceSlicePrinter],
  ['apiregistration.k8s.io/apiservices', apiServicePrinter],
]);

/** Whether kube-apiserver itself serves this group/version/resource (not a custom resource). */
function isBuiltin(info: ResourceInfo): boolean {
  return builtinCatalogue().lookup(info.group, info.version, info.resource) !== undefined;
}

/** The provider of a resource's main object. */
export function printerFor(info: ResourceInfo): ColumnProvider | undefined {
  const found = PRINTERS.get(`${info.group}/${info.version}/${info.resource}`) ?? PRINTERS.get(`${info.group}/${info.resource}`);
  if (found) return found;
  return isBuiltin(info) ? defaultTableConvertor : undefined;
}

/**
 * The gateway's ColumnProviderLookup: /scale answers with kube's printScale columns (an
 * autoscaling/v1 Scale), every other subresource (status, approval, resize, ...) returns the
 * main object and prints with the resource's own columns.
 */
export const builtinColumns: ColumnProviderLookup = (info, subresource) => {
  if (subresource === 'scale') return isBuiltin(info) ? scalePrinter : undefined;
  return printerFor(info);
};
