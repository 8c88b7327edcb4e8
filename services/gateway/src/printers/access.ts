// RBAC bindings, certificate signing requests, disruption budgets and autoscalers: kube's
// printRoleBinding, printClusterRoleBinding, printCertificateSigningRequest,
// printPodDisruptionBudget and printHorizontalPodAutoscaler (with formatHPAMetrics).

import { ageOf, int, nameOf, optInt, optRec, rec, recs, spanCell, str, type Obj } from './cells.js';
import { AGE_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
function subjectStrings(subjects: unknown): [users: string[], groups: string[], serviceAccounts: string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const subject of recs(subjects)) {
    switch (subject.kind) {
      case 'ServiceAccount':
        sas.push(`${str(subject.namespace)}/${str(subject.name)}`);
        break;
      case 'User':
        users.push(str(subject.name));
        break;
      case 'Group':
        groups.push(str(subject.name));
        break;
    }
  }
  return [users, groups, sas];
}

function bindingPrinter(docKey: string, noun: string) {
  return provider(
    [
      NAME_COLUMN,
      docColumn('Role', 'string', docKey),
      AGE_COLUMN,
      column('Users', 'string', `Users in the ${noun}`, { priority: 1 }),
      column('Groups', 'string', `Groups in the ${noun}`, { priority: 1 }),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${noun}`, { priority: 1 }),
    ],
    (obj, now) => {
      const roleRef = rec(obj.roleRef);
      const [users, groups, sas] = subjectStrings(obj.subjects);
      return [nameOf(obj), `${str(roleRef.kind)}/${str(roleRef.name)}`, ageOf(obj, now), users.join(', '), groups.join(', '), sas.join(', ')];
    },
  );
}

export const roleBindingPrinter = bindingPrinter('rbac/v1beta1 RoleBinding.roleRef', 'roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('rbac/v1beta1 ClusterRoleBinding.roleRef', 'clusterRoleBinding');

/** extractCSRStatus: Denied / Approved / Pending, then ",Failed" and ",Issued". */
function csrCondition(csr: Obj): string {
  const status = rec(csr.status);
  let approved = false;
  let denied = false;
  let failed = false;
  for (const c of recs(status.conditions)) {
    if (c.type === 'Approved') approved = true;
    else if (c.type === 'Denied') denied = true;
    else if (c.type === 'Failed') failed = true;
  }
  let out = denied ? 'Denied' : approved ? 'Approved' : 'Pending';
  if (failed) out += ',Failed';
  if (str(status.certificate).length > 0) out += ',Issued';
  return out;
}

export const certificateSigningRequestPrinter = provider(
  [
    NAME_COLUMN,
    AGE_COLUMN,
    docColumn('SignerName', 'string', 'certificates/v1beta1 CertificateSigningRequestSpec.signerName'),
    docColumn('Requestor', 'string', 'certificates/v1beta1 CertificateSigningRequestSpec.request'),
    docColumn('RequestedDuration', 'string', 'certificates/v1beta1 CertificateSigningRequestSpec.expirationSeconds'),
    docColumn('Condition', 'string', 'certificates/v1beta1 CertificateSigningRequestStatus.conditions'),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const seconds = optInt(spec.expirationSeconds);
    return [
      nameOf(obj),
      ageOf(obj, now),
      str(spec.signerName) || '<none>',
      str(spec.username),
      seconds === undefined ? '<none>' : spanCell(seconds * 1000),
      csrCondition(obj),
    ];
  },
);

/** intstr.IntOrString.String(). */
function intOrString(value: unknown): string {
  return typeof value === 'number' ? String(Math.trunc(value)) : str(value);
}

export const podDisruptionBudgetPrinter = provider(
  [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const min = spec.minAvailable === undefined || spec.minAvailable === null ? 'N/A' : intOrString(spec.minAvailable);
    const max = spec.maxUnavailable === undefined || spec.maxUnavailable === null ? 'N/A' : intOrString(spec.maxUnavailable);
    return [nameOf(obj), min, max, int(rec(obj.status).disruptionsAllowed), ageOf(obj, now)];
  },
);

/** (*resource.Quantity).String(): "<nil>" for a nil pointer, else the canonical form as stored. */
function quantityPtr(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  return typeof value === 'number' ? String(value) : str(value) || '0';
}

/** One metric's "current/target" text (formatHPAMetrics' switch). */
function metricText(spec: Obj, status: Obj | undefined): string {
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const source = spec.type === 'External' ? rec(spec.external) : rec(spec.object);
      const current = status ? optRec(spec.type === 'External' ? status.external : status.object) : undefined;
      const target = rec(source.target);
      if (target.averageValue !== undefined && target.averageValue !== null) {
        const value = current && rec(current.current).averageValue != null ? quantityPtr(rec(current.current).averageValue) : '<unknown>';
        return `${value}/${quantityPtr(target.averageValue)} (avg)`;
      }
      const value = current ? quantityPtr(rec(current.current).value) : '<unknown>';
      return `${value}/${quantityPtr(target.value)}`;
    }
    case 'Pods': {
      const current = status ? optRec(status.pods) : undefined;
      const value = current ? quantityPtr(rec(current.current).averageValue) : '<unknown>';
      return `${value}/${quantityPtr(rec(rec(spec.pods).target).averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const container = spec.type === 'ContainerResource';
      const source = rec(container ? spec.containerResource : spec.resource);
      const current = status ? optRec(container ? status.containerResource : status.resource) : undefined;
      const target = rec(source.target);
      if (target.averageValue !== undefined && target.averageValue !== null) {
        const value = current ? quantityPtr(rec(current.current).averageValue) : '<unknown>';
        return `${str(source.name)}: ${value}/${quantityPtr(target.averageValue)}`;
      }
      const utilization = current ? optInt(rec(current.current).averageUtilization) : undefined;
      const value = utilization !== undefined ? `${utilization}%` : '<unknown>';
      const targetUtilization = optInt(target.averageUtilization);
      return `${str(source.name)}: ${value}/${targetUtilization !== undefined ? `${targetUtilization}%` : '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: the first two metrics, then " + N more...". */
export function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const max = 2;
  const list = specs.map((spec, i) => metricText(spec, statuses[i]));
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

/** autoscaling/v1's CPU target and current utilization, as the v2 metrics kube converts them to. */
function v1Metrics(hpa: Obj): [Obj[], Obj[]] {
  const target = optInt(rec(hpa.spec).targetCPUUtilizationPercentage);
  if (target === undefined) return [[], []];
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
  const current = optInt(rec(hpa.status).currentCPUUtilizationPercentage);
  const statuses = current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
  return [specs, statuses];
}

function hpaPrinter(metrics: (hpa: Obj) => [Obj[], Obj[]]) {
  return provider(
    [
      NAME_COLUMN,
      docColumn('Reference', 'string', 'autoscaling/v2 HorizontalPodAutoscalerSpec.scaleTargetRef'),
      docColumn('Targets', 'string', 'autoscaling/v2 HorizontalPodAutoscalerSpec.metrics'),
      docColumn('MinPods', 'string', 'autoscaling/v2 HorizontalPodAutoscalerSpec.minReplicas'),
      docColumn('MaxPods', 'string', 'autoscaling/v2 HorizontalPodAutoscalerSpec.maxReplicas'),
      docColumn('Replicas', 'string', 'autoscaling/v2 HorizontalPodAutoscalerStatus.currentReplicas'),
      AGE_COLUMN,
    ],
    (obj, now) => {
      const spec = rec(obj.spec);
      const ref = rec(spec.scaleTargetRef);
      const min = optInt(spec.minReplicas);
      const [specs, statuses] = metrics(obj);
      return [
        nameOf(obj),
        `${str(ref.kind)}/${str(ref.name)}`,
        formatHPAMetrics(specs, statuses),
        min === undefined ? '<unset>' : String(min),
        int(spec.maxReplicas),
        int(rec(obj.status).currentReplicas),
        ageOf(obj, now),
      ];
    },
  );
}

export const horizontalPodAutoscalerPrinter = hpaPrinter((hpa) => [recs(rec(hpa.spec).metrics), recs(rec(hpa.status).currentMetrics)]);
export const horizontalPodAutoscalerV1Printer = hpaPrinter(v1Metrics);
