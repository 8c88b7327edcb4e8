// PodSecurity (k8s.io/pod-security-admission): the Pod Security Standards, latest version, per
// namespace from its labels pod-security.kubernetes.io/{enforce,warn,audit}=privileged|baseline|
// restricted. enforce refuses the pod (403, kube's "violates PodSecurity" text); warn returns
// kube's "would violate" warning; audit has no sink in kapi yet. Workload pod templates are
// checked for warn only, as kube does. Violations are listed baseline checks first, then the
// restricted ones, each group in the order of the check IDs.

import { newForbidden, type KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes, AdmissionPlugin } from '../chain.js';
import { allContainers, type ClusterAccess, type Container } from './cluster-access.js';

type Level = 'privileged' | 'baseline' | 'restricted';
type Spec = Record<string, unknown> & { securityContext?: Record<string, unknown>; volumes?: Record<string, unknown>[] };
type Check = { id: string; level: 'baseline' | 'restricted'; run: (meta: Record<string, unknown>, spec: Spec) => string | undefined };

const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

const quoteList = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');
const containersText = (names: string[]) => `${names.length === 1 ? 'container' : 'containers'} ${quoteList(names)}`;
const sc = (c: Container) => (c.securityContext ?? {}) as Record<string, unknown> & { capabilities?: { add?: string[]; drop?: string[] }; seccompProfile?: { type?: string }; seLinuxOptions?: Record<string, string>; appArmorProfile?: { type?: string } };

const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/** The names of the containers for which `bad` holds. */
function offending(spec: Spec, bad: (c: Container) => boolean): string[] {
  return allContainers(spec).filter(bad).map((c) => c.name ?? '');
}

const CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run: (_m, spec) => {
      const names = offending(spec, (c) => sc(c).allowPrivilegeEscalation !== false);
      return names.length ? `allowPrivilegeEscalation != false (${containersText(names)} must set securityContext.allowPrivilegeEscalation=false)` : undefined;
    },
  },
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run: (meta, spec) => {
      const bad = (t: string | undefined) => t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost';
      const parts: string[] = [];
      const podType = (spec.securityContext as { appArmorProfile?: { type?: string } } | undefined)?.appArmorProfile?.type;
      if (bad(podType)) parts.push(`pod must not set securityContext.appArmorProfile.type to ${JSON.stringify(podType)}`);
      for (const c of allContainers(spec)) {
        const t = sc(c).appArmorProfile?.type;
        if (bad(t)) parts.push(`container ${JSON.stringify(c.name ?? '')} must not set securityContext.appArmorProfile.type to ${JSON.stringify(t)}`);
      }
      for (const [k, v] of Object.entries((meta.annotations as Record<string, string> | undefined) ?? {})) {
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) parts.push(`${k}=${JSON.stringify(v)}`);
      }
      return parts.length ? `forbidden AppArmor profile${parts.length === 1 ? '' : 's'} (${parts.join(', ')})` : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run: (_m, spec) => {
      const parts: string[] = [];
      for (const c of allContainers(spec)) {
        const extra = (sc(c).capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
        if (extra.length) parts.push(`container ${JSON.stringify(c.name ?? '')} must not include ${quoteList(extra)} in securityContext.capabilities.add`);
      }
      return parts.length ? `non-default capabilities (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    run: (_m, spec) => {
      const noDrop = offending(spec, (c) => !(sc(c).capabilities?.drop ?? []).includes('ALL'));
      const parts: string[] = [];
      if (noDrop.length) parts.push(`${containersText(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      for (const c of allContainers(spec)) {
        const extra = (sc(c).capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (extra.length) parts.push(`container ${JSON.stringify(c.name ?? '')} must not include ${quoteList(extra)} in securityContext.capabilities.add`);
      }
      return parts.length ? `unrestricted capabilities (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run: (_m, spec) => {
      const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true).map((k) => `${k}=true`);
      return set.length ? `host namespaces (${set.join(', ')})` : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run: (_m, spec) => {
      const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => String(v.name));
      return names.length ? `hostPath volumes (volume${names.length === 1 ? '' : 's'} ${quoteList(names)})` : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run: (_m, spec) => {
      const parts: string[] = [];
      for (const c of allContainers(spec)) {
        const ports = (c.ports ?? []).map((p) => p.hostPort ?? 0).filter((p) => p !== 0);
        if (ports.length) parts.push(`container ${JSON.stringify(c.name ?? '')} uses hostPort${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`);
      }
      return parts.length ? `hostPort (${parts.join('; ')})` : undefined;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run: (_m, spec) => {
      const names = offending(spec, (c) => sc(c).privileged === true);
      return names.length ? `privileged (${containersText(names)} must not set securityContext.privileged=true)` : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run: (_m, spec) => {
      const names = offending(spec, (c) => sc(c).procMount !== undefined && sc(c).procMount !== 'Default');
      return names.length ? `procMount (${containersText(names)} must not set securityContext.procMount to "Unmasked")` : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run: (_m, spec) => {
      const parts: string[] = [];
      for (const v of spec.volumes ?? []) {
        const kind = Object.keys(v).find((k) => k !== 'name');
        if (kind && !RESTRICTED_VOLUMES.includes(kind)) parts.push(`volume ${JSON.stringify(String(v.name))} uses restricted volume type ${JSON.stringify(kind)}`);
      }
      return parts.length ? `restricted volume types (${parts.join(', ')})` : undefined;
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run: (_m, spec) => {
      const pod = spec.securityContext?.runAsNonRoot;
      if (pod === false) return 'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)';
      const names = offending(spec, (c) => sc(c).runAsNonRoot === false || (pod !== true && sc(c).runAsNonRoot !== true));
      return names.length ? `runAsNonRoot != true (pod or ${containersText(names)} must set securityContext.runAsNonRoot=true)` : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run: (_m, spec) => {
      if (spec.securityContext?.runAsUser === 0) return 'runAsUser=0 (pod must not set runAsUser=0)';
      const names = offending(spec, (c) => sc(c).runAsUser === 0);
      return names.length ? `runAsUser=0 (${containersText(names)} must not set runAsUser=0)` : undefined;
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run: (_m, spec) => {
      const bad = (o: Record<string, string> | undefined) => !!o && (!SELINUX_TYPES.includes(o.type ?? '') || !!o.user || !!o.role);
      const pod = bad(spec.securityContext?.seLinuxOptions as Record<string, string> | undefined);
      const names = offending(spec, (c) => bad(sc(c).seLinuxOptions));
      if (!pod && !names.length) return undefined;
      return `seLinuxOptions (${[pod ? 'pod' : '', names.length ? containersText(names) : ''].filter(Boolean).join(' and ')} set forbidden securityContext.seLinuxOptions)`;
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run: (_m, spec) => {
      const pod = (spec.securityContext as { seccompProfile?: { type?: string } } | undefined)?.seccompProfile?.type === 'Unconfined';
      const names = offending(spec, (c) => sc(c).seccompProfile?.type === 'Unconfined');
      if (pod) return 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")';
      return names.length ? `seccompProfile (${containersText(names)} must not set securityContext.seccompProfile.type to "Unconfined")` : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    run: (_m, spec) => {
      const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = (spec.securityContext as { seccompProfile?: { type?: string } } | undefined)?.seccompProfile?.type;
      if (podType !== undefined && !ok(podType)) return `seccompProfile (pod must not set securityContext.seccompProfile.type to ${JSON.stringify(podType)})`;
      const names = offending(spec, (c) => {
        const t = sc(c).seccompProfile?.type;
        return t !== undefined ? !ok(t) : !ok(podType);
      });
      return names.length ? `seccompProfile (pod or ${containersText(names)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")` : undefined;
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run: (_m, spec) => {
      const names = (((spec.securityContext as { sysctls?: { name: string }[] } | undefined)?.sysctls) ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.includes(n));
      return names.length ? `forbidden sysctls (${names.join(', ')})` : undefined;
    },
  },
];

/** The violations of a pod spec at a level (none at privileged). */
export function podSecurityViolations(level: Level, meta: Record<string, unknown>, spec: Spec): string[] {
  if (level === 'privileged') return [];
  // The baseline checks first, then the restricted ones (each group by ID); at restricted, the
  // restricted capabilities and seccomp checks replace their baseline versions.
  const checks = [...CHECKS.filter((c) => c.level === 'baseline'), ...(level === 'restricted' ? CHECKS.filter((c) => c.level === 'restricted') : [])].filter(
    (c) => !(level === 'restricted' && OVERRIDDEN_AT_RESTRICTED.includes(c.id)),
  );
  return checks.map((c) => c.run(meta, spec)).filter((v): v is string => v !== undefined);
}

const OVERRIDDEN_AT_RESTRICTED = ['capabilities_baseline', 'seccompProfile_baseline'];

function levelOf(labels: Record<string, string>, mode: 'enforce' | 'warn' | 'audit'): Level {
  const v = labels[`pod-security.kubernetes.io/${mode}`];
  return (LEVELS as string[]).includes(v ?? '') ? (v as Level) : 'privileged';
}

function versionOf(labels: Record<string, string>, mode: string): string {
  return labels[`pod-security.kubernetes.io/${mode}-version`] || 'latest';
}

/** Where a workload keeps its pod template. */
function templateOf(a: AdmissionAttributes): { metadata?: Record<string, unknown>; spec?: Spec } | undefined {
  const o = a.object as Record<string, unknown> | undefined;
  const spec = o?.spec as Record<string, unknown> | undefined;
  if (a.group === 'apps' && ['deployments', 'statefulsets', 'daemonsets', 'replicasets'].includes(a.resource)) return spec?.template as never;
  if (a.group === 'batch' && a.resource === 'jobs') return spec?.template as never;
  if (a.group === 'batch' && a.resource === 'cronjobs') return ((spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined)?.template as never;
  if (a.group === '' && a.resource === 'replicationcontrollers') return spec?.template as never;
  if (a.group === '' && a.resource === 'podtemplates') return o?.template as never;
  return undefined;
}

export function podSecurity(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    handles: (a) => (a.operation === 'CREATE' || a.operation === 'UPDATE') && a.subresource === '' && a.namespace !== '' && a.object !== undefined,
    async validate(a, context) {
      const isPod = a.group === '' && a.resource === 'pods';
      const template = isPod ? undefined : templateOf(a);
      if (!isPod && !template) return;
      // updates that leave the pod spec alone are not re-evaluated
      if (a.operation === 'UPDATE' && JSON.stringify((a.object as { spec?: unknown }).spec) === JSON.stringify((a.oldObject as { spec?: unknown } | undefined)?.spec)) return;
      const ns = await access.get('/namespaces', '', a.namespace);
      const labels = ns?.metadata?.labels ?? {};
      const meta = (isPod ? a.object!.metadata : template?.metadata) as Record<string, unknown> | undefined;
      const spec = ((isPod ? (a.object as { spec?: Spec }).spec : template?.spec) ?? {}) as Spec;
      if (isPod) {
        const enforce = levelOf(labels, 'enforce');
        const violations = podSecurityViolations(enforce, meta ?? {}, spec);
        if (violations.length) {
          throw newForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', `violates PodSecurity "${enforce}:${versionOf(labels, 'enforce')}": ${violations.join(', ')}`);
        }
      }
      const warn = levelOf(labels, 'warn');
      const warnings = podSecurityViolations(warn, meta ?? {}, spec);
      // a workload is also warned about the namespace's enforce level
      const enforce = levelOf(labels, 'enforce');
      const enforceWarnings = isPod ? [] : podSecurityViolations(enforce, meta ?? {}, spec);
      if (!isPod && enforceWarnings.length && LEVELS.indexOf(enforce) >= LEVELS.indexOf(warn)) {
        context.warn(`would violate PodSecurity "${enforce}:${versionOf(labels, 'enforce')}": ${enforceWarnings.join(', ')}`);
      } else if (warnings.length) {
        context.warn(`would violate PodSecurity "${warn}:${versionOf(labels, 'warn')}": ${warnings.join(', ')}`);
      }
    },
  };
}

export type { KubeObject };
