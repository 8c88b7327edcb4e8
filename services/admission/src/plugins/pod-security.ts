// PodSecurity (k8s.io/pod-security-admission through plugin/pkg/admission/security/podsecurity):
// the Pod Security Standards a namespace asks for in its labels
//   pod-security.kubernetes.io/<enforce|audit|warn>[-version]
// enforce rejects a pod (403 `violates PodSecurity "restricted:latest": ...`), warn adds
// `would violate PodSecurity ...` to the response, audit records the same text as the
// pod-security.kubernetes.io/audit-violations annotation when the context can record one.
// Workloads with a pod template are only warned about and audited, never rejected (kube's rule:
// the pods they create are what enforce sees). Checks are always those of "latest"; a pinned
// version only changes the policy's name in messages.

import type { KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes, AdmissionPlugin, PluginContext } from '../chain.js';
import { RESOURCES, type ClusterAccess } from './cluster-access.js';
import { evaluatePod, forbiddenDetail, type Level } from './pod-security-checks.js';
import { admissionForbidden, CONTAINER_LISTS, objectOrUndefined, objectsOf, stringOf, type AuditingPluginContext, type JSONObject } from './util.js';

export const POD_SECURITY = 'PodSecurity';
const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCED_POLICY_ANNOTATION = 'pod-security.kubernetes.io/enforce-policy';
export const AUDIT_VIOLATIONS_ANNOTATION = 'pod-security.kubernetes.io/audit-violations';

export interface LevelVersion {
  level: Level;
  version: string;
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export interface PodSecurityOptions {
  /** The policy of a namespace without labels (kube-apiserver's default: privileged:latest). */
  defaults?: Policy;
  exemptNamespaces?: readonly string[];
  exemptUsers?: readonly string[];
  exemptRuntimeClasses?: readonly string[];
}

const PRIVILEGED: LevelVersion = { level: 'privileged', version: 'latest' };
const LEVELS: ReadonlySet<string> = new Set(['privileged', 'baseline', 'restricted']);

export function policyString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/** api.PolicyToEvaluate: an invalid level fails closed (restricted), an invalid version is latest. */
export function policyFromLabels(labels: Record<string, string> | undefined, defaults: Policy): Policy {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = labels?.[LABEL_PREFIX + mode];
    const version = labels?.[`${LABEL_PREFIX}${mode}-version`];
    let levelValid = false;
    if (level !== undefined) {
      levelValid = LEVELS.has(level);
      policy[mode].level = levelValid ? (level as Level) : 'restricted';
    }
    if (version !== undefined) {
      const m = /^v1\.(0|[1-9][0-9]*)$/.exec(version);
      policy[mode].version = version === 'latest' || !m ? 'latest' : `v1.${m[1]}`;
    } else if (levelValid) {
      policy[mode].version = 'latest';
    }
  }
  return policy;
}

/** Where each workload kind keeps its pod template (kube's DefaultPodSpecExtractor). */
const TEMPLATE_PATHS: Record<string, string[]> = {
  '/podtemplates': ['template'],
  '/replicationcontrollers': ['spec', 'template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/deployments': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
};

const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

function at(o: unknown, path: readonly string[]): JSONObject | undefined {
  let cur: unknown = o;
  for (const p of path) cur = objectOrUndefined(cur)?.[p];
  return objectOrUndefined(cur);
}

/** Only image changes (or added containers) can change a pod's verdict (isSignificantPodUpdate). */
function significantPodUpdate(pod: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return true;
  const spec = objectOrUndefined(pod['spec']);
  const oldSpec = objectOrUndefined(old['spec']);
  for (const list of CONTAINER_LISTS) {
    const now = objectsOf(spec?.[list]);
    const before = objectsOf(oldSpec?.[list]);
    if (list !== 'ephemeralContainers' && now.length !== before.length) return true;
    for (const c of now) {
      const prev = before.find((b) => b['name'] === c['name']);
      if (!prev || prev['image'] !== c['image']) return true;
    }
  }
  return false;
}

export function createPodSecurity(access: ClusterAccess, options: PodSecurityOptions = {}): AdmissionPlugin {
  const defaults = options.defaults ?? { enforce: PRIVILEGED, audit: PRIVILEGED, warn: PRIVILEGED };
  const exemptNamespaces = new Set(options.exemptNamespaces ?? []);
  const exemptUsers = new Set(options.exemptUsers ?? []);
  const exemptRuntimeClasses = new Set(options.exemptRuntimeClasses ?? []);

  function exempt(a: AdmissionAttributes): boolean {
    return exemptNamespaces.has(a.namespace) || exemptUsers.has(a.user?.username ?? '\u0000');
  }

  async function policyFor(namespace: string): Promise<Policy> {
    const ns = await access.get(RESOURCES.namespaces, '', namespace);
    return policyFromLabels(ns?.metadata?.labels, defaults);
  }

  /** EvaluatePod: enforce (pods only), then audit, then warn unless already rejected. */
  function evaluate(a: AdmissionAttributes, policy: Policy, meta: unknown, spec: JSONObject, enforce: boolean, context: PluginContext): void {
    if (exemptRuntimeClasses.has(stringOf(spec['runtimeClassName']))) return;
    const audit = (context as AuditingPluginContext).addAuditAnnotation?.bind(context);
    if (enforce) {
      audit?.(ENFORCED_POLICY_ANNOTATION, policyString(policy.enforce));
      const failed = evaluatePod(policy.enforce.level, meta, spec);
      if (failed.length > 0) {
        throw admissionForbidden(
          { ...a, name: a.name || stringOf(a.object?.metadata?.name) },
          `violates PodSecurity "${policyString(policy.enforce)}": ${forbiddenDetail(failed)}`,
        );
      }
    }
    const auditFailed = evaluatePod(policy.audit.level, meta, spec);
    if (auditFailed.length > 0) {
      audit?.(AUDIT_VIOLATIONS_ANNOTATION, `would violate PodSecurity "${policyString(policy.audit)}": ${forbiddenDetail(auditFailed)}`);
    }
    const warnFailed = evaluatePod(policy.warn.level, meta, spec);
    if (warnFailed.length > 0) {
      context.warn(`would violate PodSecurity "${policyString(policy.warn)}": ${forbiddenDetail(warnFailed)}`);
    }
  }

  return {
    name: POD_SECURITY,
    handles: (a) =>
      (a.operation === 'CREATE' || a.operation === 'UPDATE') &&
      a.namespace !== '' &&
      (a.group === '' && a.resource === 'pods' ? !IGNORED_POD_SUBRESOURCES.has(a.subresource) : a.subresource === '' && `${a.group}/${a.resource}` in TEMPLATE_PATHS),
    async validate(a, context) {
      const object = a.object;
      if (!object || exempt(a)) return;
      const policy = await policyFor(a.namespace);
      if (a.group === '' && a.resource === 'pods') {
        if (policy.enforce.level === 'privileged' && policy.audit.level === 'privileged' && policy.warn.level === 'privileged') return;
        if (a.operation === 'UPDATE' && !significantPodUpdate(object, a.oldObject)) return;
        const spec = objectOrUndefined(object['spec']);
        if (spec) evaluate(a, policy, object.metadata, spec, true, context);
        return;
      }
      if (policy.audit.level === 'privileged' && policy.warn.level === 'privileged') return;
      const template = at(object, TEMPLATE_PATHS[`${a.group}/${a.resource}`]!);
      const spec = objectOrUndefined(template?.['spec']);
      if (spec) evaluate(a, policy, template?.['metadata'], spec, false, context);
    },
  };
}
