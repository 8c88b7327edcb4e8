// Service networking: kube's printService, printEndpoints, printEndpointSlice, printIngress,
// printIngressClass, printNetworkPolicy, printServiceCIDR and printIPAddress. Values kube's
// defaulting fills before a printer runs (service type ClusterIP, port protocol TCP, clusterIPs
// from clusterIP) are filled the same way here.

import { compareGoStrings } from '@kapi/apimachinery';
import {
  ageOf,
  arr,
  formatLabelSelector,
  formatLabels,
  int,
  joinHostPort,
  listWithMore,
  nameOf,
  optInt,
  optRec,
  optStr,
  rec,
  recs,
  str,
  type Obj,
} from './cells.js';
import { AGE_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

/** loadBalancerStatusStringer (wide): ingress IPs, else hostnames, de-duplicated and sorted. */
function loadBalancerIngress(status: unknown): string {
  const result = new Set<string>();
  for (const ingress of recs(rec(status).ingress)) {
    if (str(ingress.ip) !== '') result.add(str(ingress.ip));
    else if (str(ingress.hostname) !== '') result.add(str(ingress.hostname));
  }
  return [...result].sort(compareGoStrings).join(',');
}

/** getServiceExternalIP (wide). */
export function serviceExternalIP(service: Obj): string {
  const spec = rec(service.spec);
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (str(spec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIPs = loadBalancerIngress(rec(rec(service.status).loadBalancer));
      if (externalIPs.length > 0) return [...(lbIPs.length > 0 ? lbIPs.split(',') : []), ...externalIPs].join(',');
      return lbIPs.length > 0 ? lbIPs : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** makePortString: "80/TCP", "443:30443/TCP" with a node port, comma separated. */
export function servicePorts(ports: unknown): string {
  return recs(ports)
    .map((port) => {
      const protocol = str(port.protocol) || 'TCP';
      const nodePort = int(port.nodePort);
      return nodePort > 0 ? `${int(port.port)}:${nodePort}/${protocol}` : `${int(port.port)}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Type', 'string', 'core/v1 ServiceSpec.type'),
    docColumn('Cluster-IP', 'string', 'core/v1 ServiceSpec.clusterIP'),
    docColumn('External-IP', 'string', 'core/v1 ServiceSpec.externalIPs'),
    docColumn('Port(s)', 'string', 'core/v1 ServiceSpec.ports'),
    AGE_COLUMN,
    docColumn('Selector', 'string', 'core/v1 ServiceSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const clusterIPs = arr(spec.clusterIPs).map(str);
    const clusterIP = clusterIPs.length > 0 ? clusterIPs[0]! : str(spec.clusterIP) || '<none>';
    return [
      nameOf(obj),
      str(spec.type) || 'ClusterIP',
      clusterIP,
      serviceExternalIP(obj),
      servicePorts(spec.ports) || '<none>',
      ageOf(obj, now),
      formatLabels(spec.selector),
    ];
  },
);

/** formatEndpoints(endpoints, nil): up to three "ip:port" (or bare IPs for port-less subsets). */
export function formatEndpoints(endpoints: Obj): string {
  const subsets = recs(endpoints.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses = recs(subset.addresses);
    const ports = recs(subset.ports);
    if (ports.length === 0) {
      // It's possible to have headless services with no ports.
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(address.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(address.ip), int(port.port)));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter = provider(
  [NAME_COLUMN, docColumn('Endpoints', 'string', 'core/v1 Endpoints.subsets'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), formatEndpoints(obj), ageOf(obj, now)],
);

/** formatDiscoveryPorts: port numbers (or names, or "*"), at most three. */
function discoveryPorts(ports: unknown): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of recs(ports)) {
    if (list.length < max) {
      const number = optInt(port.port);
      const name = optStr(port.name);
      list.push(number !== undefined ? String(number) : name !== undefined ? name : '*');
    } else if (list.length === max) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, max);
}

/** formatDiscoveryEndpoints: endpoint addresses, at most three. */
function discoveryEndpoints(endpoints: unknown): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const endpoint of recs(endpoints)) {
    for (const address of arr(endpoint.addresses)) {
      if (list.length < max) list.push(str(address));
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

export const endpointSlicePrinter = provider(
  [
    NAME_COLUMN,
    docColumn('AddressType', 'string', 'discovery/v1beta1 EndpointSlice.addressType'),
    docColumn('Ports', 'string', 'discovery/v1beta1 EndpointSlice.ports'),
    docColumn('Endpoints', 'string', 'discovery/v1beta1 EndpointSlice.endpoints'),
    AGE_COLUMN,
  ],
  (obj, now) => [nameOf(obj), str(obj.addressType), discoveryPorts(obj.ports), discoveryEndpoints(obj.endpoints), ageOf(obj, now)],
);

/** formatHosts: up to three rule hosts, "*" when none. */
function ingressHosts(rules: unknown): string {
  const all = recs(rules);
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && str(rule.host).length !== 0) list.push(str(rule.host));
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${all.length - max} more...` : joined;
}

export const ingressPrinter = provider(
  [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    return [
      nameOf(obj),
      optStr(spec.ingressClassName) ?? '<none>',
      ingressHosts(spec.rules),
      loadBalancerIngress(rec(rec(obj.status).loadBalancer)),
      arr(spec.tls).length !== 0 ? '80, 443' : '80',
      ageOf(obj, now),
    ];
  },
);

export const ingressClassPrinter = provider(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const params = optRec(spec.parameters);
    let parameters = '<none>';
    if (params) {
      parameters = str(params.kind);
      const group = optStr(params.apiGroup);
      if (group !== undefined) parameters += `.${group}`;
      parameters += `/${str(params.name)}`;
    }
    return [nameOf(obj), str(spec.controller), parameters, ageOf(obj, now)];
  },
);

export const networkPolicyPrinter = provider(
  [NAME_COLUMN, docColumn('Pod-Selector', 'string', 'extensions/v1beta1 NetworkPolicySpec.podSelector'), AGE_COLUMN],
  // spec.podSelector is a struct, never nil: an absent one is the empty (match-all) selector.
  (obj, now) => [nameOf(obj), formatLabelSelector(rec(rec(obj.spec).podSelector)), ageOf(obj, now)],
);

export const serviceCIDRPrinter = provider(
  [NAME_COLUMN, docColumn('CIDRs', 'string', 'networking/v1beta1 ServiceCIDRSpec.cidrs'), AGE_COLUMN],
  (obj, now) => [nameOf(obj), arr(rec(obj.spec).cidrs).map(str).join(','), ageOf(obj, now)],
);

/** printIPAddress: kube declares two columns but prints three cells (the age is never shown). */
export const ipAddressPrinter = provider(
  [NAME_COLUMN, docColumn('ParentRef', 'string', 'networking/v1beta1 IPAddressSpec.parentRef')],
  (obj, now) => {
    const ref = optRec(rec(obj.spec).parentRef);
    let parent = '<none>';
    if (ref) {
      const group = str(ref.group);
      const resource = str(ref.resource);
      parent = (group === '' ? resource : `${resource}.${group}`).toLowerCase();
      if (str(ref.namespace) !== '') parent += `/${str(ref.namespace)}`;
      parent += `/${str(ref.name)}`;
    }
    return [nameOf(obj), parent, ageOf(obj, now)];
  },
);
