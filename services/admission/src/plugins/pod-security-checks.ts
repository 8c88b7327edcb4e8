// The Pod Security Standards checks at version "latest" (k8s.io/pod-security-admission/policy),
// each returning kube's forbidden reason and detail. Checks run in kube's order: baseline IDs
// sorted, then restricted IDs sorted; the restricted level drops the baseline checks its own
// checks override. Containers are visited init, regular, ephemeral.

import type { JSONObject } from './util.js';
import { containersOf, isObject, joinQuote, objectOrUndefined, objectsOf, pluralize, sortedSet, stringOf } from './util.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

export interface CheckResult {
  reason: string;
  detail: string;
}

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  overrides?: string[];
  run(meta: JSONObject, spec: JSONObject): CheckResult | undefined;
}

const sc = (c: JSONObject): JSONObject | undefined => objectOrUndefined(c['securityContext']);
const podSC = (spec: JSONObject): JSONObject | undefined => objectOrUndefined(spec['securityContext']);
const annotations = (meta: JSONObject): Record<string, unknown> => objectOrUndefined(meta['annotations']) ?? {};
const isWindows = (spec: JSONObject) => objectOrUndefined(spec['os'])?.['name'] === 'windows';
const nameOf = (c: JSONObject) => stringOf(c['name']);
const containersPhrase = (names: string[]) => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

const CAPS_BASELINE = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const KNOWN_VOLUMES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos',
];

/** "pod", "containers ..." setters joined with " and " (kube's badSetters). */
function setters(pod: boolean, containers: string[]): string[] {
  const out = pod ? ['pod'] : [];
  if (containers.length > 0) out.push(containersPhrase(containers));
  return out;
}

const CHECKS: Check[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run(meta, spec) {
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const badValues = new Set<string>();
      const podProfile = objectOrUndefined(podSC(spec)?.['appArmorProfile']);
      const podBad = podProfile !== undefined && !ok(podProfile['type']);
      if (podBad) badValues.add(stringOf(podProfile!['type']));
      const bad: string[] = [];
      for (const c of containersOf(spec)) {
        const p = objectOrUndefined(sc(c)?.['appArmorProfile']);
        if (p && !ok(p['type'])) {
          bad.push(nameOf(c));
          badValues.add(stringOf(p['type']));
        }
      }
      const who = setters(podBad, bad);
      const forbiddenAnn: string[] = [];
      for (const [k, v] of Object.entries(annotations(meta))) {
        const value = stringOf(v);
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(value === '' || value === 'runtime/default' || value.startsWith('localhost/'))) {
          forbiddenAnn.push(`${k}=${JSON.stringify(value)}`);
        }
      }
      const values = sortedSet(badValues);
      if (forbiddenAnn.length > 0) {
        values.push(...sortedSet(forbiddenAnn));
        who.push(pluralize('annotation', 'annotations', forbiddenAnn.length));
      }
      if (who.length === 0) return undefined;
      return {
        reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
        detail: `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
      };
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const add = objectOrUndefined(sc(c)?.['capabilities'])?.['add'];
        let valid = true;
        for (const cap of Array.isArray(add) ? add.map(stringOf) : []) {
          if (!CAPS_BASELINE.has(cap)) {
            valid = false;
            caps.add(cap);
          }
        }
        if (!valid) bad.push(nameOf(c));
      }
      if (bad.length === 0) return undefined;
      return { reason: 'non-default capabilities', detail: `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` };
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run(_meta, spec) {
      const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true).map((f) => `${f}=true`);
      return set.length > 0 ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run(_meta, spec) {
      const vols = objectsOf(spec['volumes']).filter((v) => v['hostPath'] !== undefined && v['hostPath'] !== null).map(nameOf);
      if (vols.length === 0) return undefined;
      return { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', vols.length)} ${joinQuote(vols)}` };
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      const ports = new Set<string>();
      for (const c of containersOf(spec)) {
        let valid = true;
        for (const p of objectsOf(c['ports'])) {
          if (typeof p['hostPort'] === 'number' && p['hostPort'] !== 0) {
            valid = false;
            ports.add(String(p['hostPort']));
          }
        }
        if (!valid) bad.push(nameOf(c));
      }
      if (bad.length === 0) return undefined;
      return {
        reason: 'hostPort',
        detail: `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${sortedSet(ports).join(', ')}`,
      };
    },
  },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    run(_meta, spec) {
      const bad = new Set<string>();
      const hosts = new Set<string>();
      const handlerHosts = (h: unknown): string[] => {
        const o = objectOrUndefined(h);
        return ['httpGet', 'tcpSocket'].map((k) => stringOf(objectOrUndefined(o?.[k])?.['host'])).filter((x) => x !== '');
      };
      for (const c of containersOf(spec)) {
        const lifecycle = objectOrUndefined(c['lifecycle']);
        const found = [c['livenessProbe'], c['readinessProbe'], c['startupProbe'], lifecycle?.['postStart'], lifecycle?.['preStop']].flatMap(handlerHosts);
        if (found.length > 0) {
          bad.add(nameOf(c));
          for (const h of found) hosts.add(h);
        }
      }
      if (bad.size === 0) return undefined;
      const names = sortedSet(bad);
      return {
        reason: 'probe or lifecycle host',
        detail: `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sortedSet(hosts))}`,
      };
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run(_meta, spec) {
      const bad = containersOf(spec).filter((c) => sc(c)?.['privileged'] === true).map(nameOf);
      if (bad.length === 0) return undefined;
      return { reason: 'privileged', detail: `${containersPhrase(bad)} must not set securityContext.privileged=true` };
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      const types = new Set<string>();
      for (const c of containersOf(spec)) {
        const pm = sc(c)?.['procMount'];
        if (typeof pm === 'string' && pm !== 'Default') {
          bad.push(nameOf(c));
          types.add(pm);
        }
      }
      if (bad.length === 0) return undefined;
      return { reason: 'procMount', detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}` };
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run(_meta, spec) {
      const badTypes = new Set<string>();
      let setUser = false;
      let setRole = false;
      const valid = (o: JSONObject): boolean => {
        let ok = true;
        const type = stringOf(o['type']);
        if (!SELINUX_TYPES.has(type)) {
          ok = false;
          badTypes.add(type);
        }
        if (stringOf(o['user']) !== '') {
          ok = false;
          setUser = true;
        }
        if (stringOf(o['role']) !== '') {
          ok = false;
          setRole = true;
        }
        return ok;
      };
      const podOpts = objectOrUndefined(podSC(spec)?.['seLinuxOptions']);
      const podBad = podOpts !== undefined && !valid(podOpts);
      const bad = containersOf(spec)
        .filter((c) => {
          const o = objectOrUndefined(sc(c)?.['seLinuxOptions']);
          return o !== undefined && !valid(o);
        })
        .map(nameOf);
      const who = setters(podBad, bad);
      if (who.length === 0) return undefined;
      // kube lists user/role only alongside a bad type (its own quirk, kept for identical text).
      const data: string[] = [];
      if (badTypes.size > 0) {
        data.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
        if (setUser) data.push('user may not be set');
        if (setRole) data.push('role may not be set');
      }
      return { reason: 'seLinuxOptions', detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run(_meta, spec) {
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const badValues = new Set<string>();
      const p = objectOrUndefined(podSC(spec)?.['seccompProfile']);
      const podBad = p !== undefined && !ok(p['type']);
      if (podBad) badValues.add(stringOf(p!['type']));
      const bad: string[] = [];
      for (const c of containersOf(spec)) {
        const cp = objectOrUndefined(sc(c)?.['seccompProfile']);
        if (cp && !ok(cp['type'])) {
          bad.push(nameOf(c));
          badValues.add(stringOf(cp['type']));
        }
      }
      const who = setters(podBad, bad);
      if (who.length === 0) return undefined;
      return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}` };
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run(_meta, spec) {
      const bad = objectsOf(podSC(spec)?.['sysctls']).map((s) => stringOf(s['name'])).filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length > 0 ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    run(_meta, spec) {
      const hp = (o: JSONObject | undefined) => objectOrUndefined(o?.['windowsOptions'])?.['hostProcess'] === true;
      const bad = containersOf(spec).filter((c) => hp(sc(c))).map(nameOf);
      const who = setters(hp(podSC(spec)), bad);
      if (who.length === 0) return undefined;
      return { reason: 'hostProcess', detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` };
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run(_meta, spec) {
      if (isWindows(spec)) return undefined;
      const bad = containersOf(spec).filter((c) => sc(c)?.['allowPrivilegeEscalation'] !== false).map(nameOf);
      if (bad.length === 0) return undefined;
      return { reason: 'allowPrivilegeEscalation != false', detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false` };
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    run(_meta, spec) {
      if (isWindows(spec)) return undefined;
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const capabilities = objectOrUndefined(sc(c)?.['capabilities']);
        if (!capabilities) {
          missingDrop.push(nameOf(c));
          continue;
        }
        const drop = Array.isArray(capabilities['drop']) ? capabilities['drop'] : [];
        if (!drop.includes('ALL')) missingDrop.push(nameOf(c));
        const add = Array.isArray(capabilities['add']) ? capabilities['add'].map(stringOf) : [];
        const forbidden = add.filter((x) => x !== 'NET_BIND_SERVICE');
        if (forbidden.length > 0) {
          adding.push(nameOf(c));
          for (const x of forbidden) caps.add(x);
        }
      }
      const details: string[] = [];
      if (missingDrop.length > 0) details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length > 0) details.push(`${containersPhrase(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
      return details.length > 0 ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: ['hostPathVolumes'],
    run(_meta, spec) {
      const bad: string[] = [];
      const types = new Set<string>();
      for (const v of objectsOf(spec['volumes'])) {
        const present = Object.keys(v).filter((k) => k !== 'name' && v[k] !== null && v[k] !== undefined);
        if (present.some((k) => ALLOWED_VOLUMES.has(k))) continue;
        bad.push(nameOf(v));
        types.add(KNOWN_VOLUMES.find((k) => present.includes(k)) ?? 'unknown');
      }
      if (bad.length === 0) return undefined;
      return {
        reason: 'restricted volume types',
        detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sortedSet(types))}`,
      };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run(_meta, spec) {
      const podValue = podSC(spec)?.['runAsNonRoot'];
      const podBad = podValue === false;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(spec)) {
        const v = sc(c)?.['runAsNonRoot'];
        if (typeof v === 'boolean') {
          if (!v) explicit.push(nameOf(c));
        } else if (podValue !== true) {
          implicit.push(nameOf(c));
        }
      }
      const who = setters(podBad, explicit);
      if (who.length > 0) return { reason: 'runAsNonRoot != true', detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false` };
      if (implicit.length > 0) {
        return { reason: 'runAsNonRoot != true', detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true` };
      }
      return undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run(_meta, spec) {
      const bad = containersOf(spec).filter((c) => sc(c)?.['runAsUser'] === 0).map(nameOf);
      const who = setters(podSC(spec)?.['runAsUser'] === 0, bad);
      return who.length > 0 ? { reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: ['seccompProfile_baseline'],
    run(_meta, spec) {
      if (isWindows(spec)) return undefined;
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const badValues = new Set<string>();
      const p = objectOrUndefined(podSC(spec)?.['seccompProfile']);
      const podBad = p !== undefined && !ok(p['type']);
      if (podBad) badValues.add(stringOf(p!['type']));
      const podSet = p !== undefined && !podBad;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(spec)) {
        const cp = objectOrUndefined(sc(c)?.['seccompProfile']);
        if (cp) {
          if (!ok(cp['type'])) {
            explicit.push(nameOf(c));
            badValues.add(stringOf(cp['type']));
          }
        } else if (!podSet) {
          implicit.push(nameOf(c));
        }
      }
      const who = setters(podBad, explicit);
      if (who.length > 0) {
        return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}` };
      }
      if (implicit.length > 0) {
        return {
          reason: 'seccompProfile',
          detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        };
      }
      return undefined;
    },
  },
];

const byId = (x: Check, y: Check) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const BASELINE = CHECKS.filter((c) => c.level === 'baseline').sort(byId);
const OVERRIDDEN = new Set(CHECKS.flatMap((c) => c.overrides ?? []));
const RESTRICTED = [...BASELINE.filter((c) => !OVERRIDDEN.has(c.id)), ...CHECKS.filter((c) => c.level === 'restricted').sort(byId)];

/** policy.Evaluator.EvaluatePod at "latest": the failed checks, in kube's order. */
export function evaluatePod(level: Level, meta: unknown, spec: unknown): CheckResult[] {
  if (level === 'privileged' || !isObject(spec)) return [];
  const m = isObject(meta) ? meta : {};
  const out: CheckResult[] = [];
  for (const check of level === 'baseline' ? BASELINE : RESTRICTED) {
    const r = check.run(m, spec);
    if (r) out.push(r);
  }
  return out;
}

/** AggregateCheckResult.ForbiddenDetail: `reason (detail), reason (detail)`. */
export function forbiddenDetail(results: readonly CheckResult[]): string {
  return results.map((r) => (r.detail === '' ? r.reason : `${r.reason} (${r.detail})`)).join(', ');
}
