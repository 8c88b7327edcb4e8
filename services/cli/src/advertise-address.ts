// The address the `kubernetes` Service's endpoints advertise for a gateway: its bind address, or
// for a wildcard bind (kube's ChooseHostInterface) the first non-loopback address of the host,
// falling back to loopback on a host without one.

import { networkInterfaces } from 'node:os';

export function advertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && bindAddress !== '') return bindAddress;
  const wantV6 = bindAddress === '::';
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal) continue;
      if (address.family === 'IPv4' || (wantV6 && address.family === 'IPv6' && !address.address.startsWith('fe80'))) return address.address;
    }
  }
  return '127.0.0.1';
}
