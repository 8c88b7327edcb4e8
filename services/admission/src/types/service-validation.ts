// core/v1 Service validation: kube's ValidateService / ValidateServiceUpdate
// (pkg/apis/core/validation/validation.go) on the defaulted JSON object. ObjectMeta is validated by
// the generic strategy step; these are the spec rules, in kube's order, with kube's texts.

import { isIP, isIPv6 } from 'node:net';
import {
  type FieldError,
  type FieldPath,
  asGoStruct,
  duplicate,
  fieldPath,
  forbidden,
  invalid,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  notSupported,
  required,
  validateLabels,
} from '@kapi/apimachinery';
import { asRecord, externallyAccessible } from './service-defaults.js';

type Json = Record<string, unknown>;

const FIELD_IMMUTABLE = 'field is immutable';
/** ports.KubeletPort: LoadBalancer services may not expose it. */
const KUBELET_PORT = 10250;
/** core.MaxClientIPServiceAffinitySeconds: one day. */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** The sorted sets kube lists in its NotSupported messages. */
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const TRAFFIC_DISTRIBUTIONS = ['PreferClose', 'PreferSameNode', 'PreferSameZone'];
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const INVALID_CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : String(v))) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const int = (value: unknown): number => (typeof value === 'number' ? value : 0);
const present = (value: unknown): boolean => value !== undefined && value !== null;

/** isHeadlessService: clusterIP "None" (as the strategy keeps clusterIPs[0] in sync with it). */
function isHeadless(spec: Json): boolean {
  const ips = strings(spec.clusterIPs);
  return ips.length > 0 ? ips[0] === 'None' : spec.clusterIP === 'None';
}

/** validation.IsValidPortNum's message as field errors. */
function portNumErrors(value: number, path: FieldPath | string): FieldError[] {
  return value >= 1 && value <= 65535 ? [] : [invalid(path, value, 'must be between 1 and 65535, inclusive')];
}

/** validation.IsValidPortName. */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens (-)');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

/** ValidatePortNumOrName. */
function portNumOrNameErrors(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'string') return portNameErrors(value).map((msg) => invalid(path, value, msg));
  return portNumErrors(int(value), path);
}

/** validateServicePort. */
function servicePortErrors(port: Json, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = text(port.name);
  if (requireName && name === '') {
    errs.push(required(path.child('name')));
  } else if (name !== '') {
    for (const msg of isDNS1123Label(name)) errs.push(invalid(path.child('name'), name, msg));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  errs.push(...portNumErrors(int(port.port), path.child('port')));
  const protocol = text(port.protocol);
  if (protocol === '') errs.push(required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(path.child('protocol'), protocol, PROTOCOLS));
  errs.push(...portNumOrNameErrors(port.targetPort, path.child('targetPort')));
  if (present(port.appProtocol)) {
    const appProtocol = text(port.appProtocol);
    for (const msg of isQualifiedName(appProtocol)) errs.push(invalid(path.child('appProtocol'), appProtocol, msg));
  }
  return errs;
}

/** validateClientIPAffinityConfig. */
function clientIPAffinityErrors(config: unknown, path: FieldPath): FieldError[] {
  const detail = 'when session affinity type is ClientIP';
  if (!present(config)) return [required(path, detail)];
  const clientIP = asRecord(config).clientIP;
  if (!present(clientIP)) return [required(path.child('clientIP'), detail)];
  const timeout = asRecord(clientIP).timeoutSeconds;
  const timeoutPath = path.child('clientIP', 'timeoutSeconds');
  if (!present(timeout)) return [required(timeoutPath, detail)];
  const seconds = int(timeout);
  if (seconds <= 0 || seconds > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    return [invalid(timeoutPath, seconds, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** ValidateServiceClusterIPsRelatedFields. */
export function clusterIPsRelatedErrors(spec: Json): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIPsPath = fieldPath('spec', 'clusterIPs');
  const ipFamiliesPath = fieldPath('spec', 'ipFamilies');
  const clusterIP = text(spec.clusterIP);
  const clusterIPs = strings(spec.clusterIPs);
  if (clusterIP !== '') {
    if (clusterIPs.length === 0) errs.push(required(clusterIPsPath));
    else if (clusterIPs[0] !== clusterIP) errs.push(invalid(clusterIPsPath, clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length > 0) {
    errs.push(invalid(clusterIPsPath, clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }

  const families = strings(spec.ipFamilies);
  const seen = new Set<string>();
  families.forEach((family, i) => {
    if (!IP_FAMILIES.includes(family)) errs.push(notSupported(ipFamiliesPath.index(i), family, IP_FAMILIES));
    if (seen.has(family)) errs.push(duplicate(ipFamiliesPath.index(i), family));
    seen.add(family);
  });
  if (present(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(text(spec.ipFamilyPolicy))) {
    errs.push(notSupported(fieldPath('spec', 'ipFamilyPolicy'), spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }

  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        errs.push(invalid(clusterIPsPath, clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    if (isIP(ip) === 0) {
      invalidIPs = true;
      errs.push(invalid(clusterIPsPath.index(i), ip, INVALID_IP));
    }
  });
  if (clusterIPs.length > 2) errs.push(invalid(clusterIPsPath, clusterIPs, 'may only hold up to 2 values'));
  if (invalidIPs) return errs;

  if (clusterIPs.length > 1 && isIPv6(clusterIPs[0]!) === isIPv6(clusterIPs[1]!)) {
    errs.push(invalid(clusterIPsPath, clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec) && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && isIPv6(ip)) errs.push(invalid(clusterIPsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6(ip)) errs.push(invalid(clusterIPsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** canSetLoadBalancerClass / validateLoadBalancerClassField. */
function loadBalancerClassErrors(spec: Json, oldSpec: Json | undefined): FieldError[] {
  const path = fieldPath('spec', 'loadBalancerClass');
  const errs: FieldError[] = [];
  if (oldSpec && oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && (oldSpec.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
    errs.push(invalid(path, spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (!present(spec.loadBalancerClass)) return errs;
  if (spec.type !== 'LoadBalancer') {
    errs.push(forbidden(path, 'may only be used when `type` is \'LoadBalancer\''));
  } else {
    const value = text(spec.loadBalancerClass);
    for (const msg of isQualifiedName(value)) errs.push(invalid(path, value, msg));
  }
  return errs;
}

/** validateServiceExternalTrafficPolicy. */
function externalTrafficPolicyErrors(spec: Json): FieldError[] {
  const errs: FieldError[] = [];
  const policy = text(spec.externalTrafficPolicy);
  const policyPath = fieldPath('spec', 'externalTrafficPolicy');
  if (!externallyAccessible(spec)) {
    if (policy !== '') errs.push(invalid(policyPath, policy, 'may only be set for externally-accessible services'));
  } else if (policy === '') {
    errs.push(required(policyPath));
  } else if (!TRAFFIC_POLICIES.includes(policy)) {
    errs.push(notSupported(policyPath, policy, TRAFFIC_POLICIES));
  }
  const hcPath = fieldPath('spec', 'healthCheckNodePort');
  const hc = int(spec.healthCheckNodePort);
  if (!(spec.type === 'LoadBalancer' && policy === 'Local')) {
    if (hc !== 0) errs.push(invalid(hcPath, hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(required(hcPath));
  } else {
    errs.push(...portNumErrors(hc, hcPath));
  }
  return errs;
}

/** ValidateService (the spec part). */
export function validateService(service: Json): FieldError[] {
  const spec = asRecord(service.spec);
  const specPath = fieldPath('spec');
  const portsPath = specPath.child('ports');
  const errs: FieldError[] = [];
  const ports = Array.isArray(spec.ports) ? spec.ports.map(asRecord) : [];
  const type = text(spec.type);
  const headless = isHeadless(spec);
  const clusterIPs = strings(spec.clusterIPs);

  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required(portsPath));
  switch (type) {
    case 'LoadBalancer':
      if (headless) errs.push(invalid(specPath.child('clusterIPs').index(0), clusterIPs[0] ?? 'None', "may not be set to 'None' for LoadBalancer services"));
      ports.forEach((port, i) => {
        if (port.port === KUBELET_PORT) errs.push(invalid(portsPath.index(i), KUBELET_PORT, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
      });
      break;
    case 'NodePort':
      if (headless) errs.push(invalid(specPath.child('clusterIPs').index(0), clusterIPs[0] ?? 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (clusterIPs.length > 0) errs.push(forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      if (strings(spec.ipFamilies).length > 0) errs.push(forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (present(spec.ipFamilyPolicy)) errs.push(forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = text(spec.externalName).replace(/\.$/, '');
      if (cname !== '') for (const msg of isDNS1123Subdomain(cname)) errs.push(invalid(specPath.child('externalName'), cname, msg));
      else errs.push(required(specPath.child('externalName')));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((port, i) => errs.push(...servicePortErrors(port, ports.length > 1, names, portsPath.index(i))));
  if (present(spec.selector)) errs.push(...validateLabels(spec.selector, specPath.child('selector')));

  const affinity = text(spec.sessionAffinity);
  if (affinity === '') errs.push(required(specPath.child('sessionAffinity')));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(notSupported(specPath.child('sessionAffinity'), affinity, SESSION_AFFINITIES));
  if (affinity === 'ClientIP') {
    errs.push(...clientIPAffinityErrors(spec.sessionAffinityConfig, specPath.child('sessionAffinityConfig')));
  } else if (affinity === 'None' && present(spec.sessionAffinityConfig)) {
    errs.push(forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }

  errs.push(...clusterIPsRelatedErrors(spec));

  strings(spec.externalIPs).forEach((ip, i) => {
    if (isIP(ip) === 0) errs.push(invalid(specPath.child('externalIPs').index(i), ip, INVALID_IP));
  });

  if (type === '') errs.push(required(specPath.child('type')));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported(specPath.child('type'), type, SERVICE_TYPES));

  if (type === 'ClusterIP') {
    ports.forEach((port, i) => {
      if (int(port.nodePort) !== 0) errs.push(forbidden(portsPath.index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const nodePort = int(port.nodePort);
    if (nodePort === 0) return;
    const key = `${text(port.protocol)}/${nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(portsPath.index(i).child('nodePort'), nodePort));
    nodePorts.add(key);
  });
  const servicePorts = new Set<string>();
  ports.forEach((port, i) => {
    const key = `${text(port.protocol)}/${int(port.port)}`;
    // kube reports the internal core.ServicePort it keyed on (protocol and port only).
    if (servicePorts.has(key)) {
      errs.push(duplicate(portsPath.index(i), asGoStruct({ Name: '', Protocol: text(port.protocol), AppProtocol: null, Port: int(port.port), TargetPort: 0, NodePort: 0 })));
    }
    servicePorts.add(key);
  });

  const sourceRanges = strings(spec.loadBalancerSourceRanges);
  if (sourceRanges.length > 0) {
    const path = specPath.child('LoadBalancerSourceRanges');
    if (type !== 'LoadBalancer') errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    sourceRanges.forEach((value, i) => {
      if (!isCIDR(value.trim())) errs.push(invalid(path.index(i), value.trim(), INVALID_CIDR));
    });
  }

  if (present(spec.allocateLoadBalancerNodePorts) && type !== 'LoadBalancer') {
    errs.push(forbidden(specPath.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && !present(spec.allocateLoadBalancerNodePorts)) errs.push(required(fieldPath('allocateLoadBalancerNodePorts')));

  errs.push(...loadBalancerClassErrors(spec, undefined));
  errs.push(...externalTrafficPolicyErrors(spec));

  const internalPath = specPath.child('internalTrafficPolicy');
  if (!present(spec.internalTrafficPolicy)) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') errs.push(required(internalPath));
  } else if (!TRAFFIC_POLICIES.includes(text(spec.internalTrafficPolicy))) {
    errs.push(notSupported(internalPath, spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (present(spec.trafficDistribution) && !TRAFFIC_DISTRIBUTIONS.includes(text(spec.trafficDistribution))) {
    errs.push(notSupported(specPath.child('trafficDistribution'), spec.trafficDistribution, TRAFFIC_DISTRIBUTIONS));
  }
  return errs;
}

function isCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** validateUpgradeDowngradeClusterIPs. */
function clusterIPsUpdateErrors(spec: Json, oldSpec: Json): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const path = fieldPath('spec', 'clusterIPs');
  const next = strings(spec.clusterIPs);
  const old = strings(oldSpec.clusterIPs);
  if (old.length === next.length) {
    old.forEach((ip, i) => {
      if (ip !== next[i]) errs.push(invalid(path.index(i), next, FIELD_IMMUTABLE));
    });
    return errs;
  }
  if (old.length > next.length) {
    if (next.length === 0) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
    if (old.length > 0 && next.length > 0 && next[0] !== old[0]) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
    if (next.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(path.index(0), spec.ipFamilyPolicy ?? null, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
    return errs;
  }
  if (old.length > 0 && next.length > 0 && next[0] !== old[0]) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
  return errs;
}

/** validateUpgradeDowngradeIPFamilies. */
function ipFamiliesUpdateErrors(spec: Json, oldSpec: Json): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const path = fieldPath('spec', 'ipFamilies');
  const next = strings(spec.ipFamilies);
  const old = strings(oldSpec.ipFamilies);
  if (old.length === next.length) {
    old.forEach((family, i) => {
      if (family !== next[i]) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
    });
    return errs;
  }
  if (old.length > next.length) {
    if (next.length === 0 || next[0] !== old[0]) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
    if (next.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid(path.index(0), spec.ipFamilyPolicy ?? null, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
    return errs;
  }
  if (old.length > 0 && next[0] !== old[0]) errs.push(invalid(path.index(0), next, FIELD_IMMUTABLE));
  return errs;
}

/** ValidateServiceUpdate (the spec part): the immutable cluster IPs and families, then
 * ValidateService. */
export function validateServiceUpdate(service: Json, old: Json): FieldError[] {
  const spec = asRecord(service.spec);
  const oldSpec = asRecord(old.spec);
  const errs = [...clusterIPsUpdateErrors(spec, oldSpec), ...ipFamiliesUpdateErrors(spec, oldSpec)];
  const classErrs = loadBalancerClassErrors(spec, oldSpec).filter((e) => e.detail === 'may not change once set');
  errs.push(...classErrs, ...validateService(service));
  return errs;
}

