// Whether the client certificate of a TLS connection chains to one of a set of CAs. The TLS
// server trusts the union of --client-ca-file and --requestheader-client-ca-file, so each
// authenticator checks its own trust anchors (kube gives each its own x509.VerifyOptions).

import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/** Every certificate in a PEM bundle. */
export function parseCertificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** True when the connection's verified peer chain reaches one of `roots`. */
export function peerChainsTo(socket: Pick<TLSSocket, 'getPeerCertificate' | 'authorized'>, roots: readonly X509Certificate[]): boolean {
  if (!socket.authorized) return false;
  let peer: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  if (!peer?.raw) return false;
  for (let depth = 0; depth < 10 && peer?.raw; depth++) {
    const cert = new X509Certificate(peer.raw);
    if (roots.some((r) => r.raw.equals(cert.raw) || signedBy(cert, r))) return true;
    const next: DetailedPeerCertificate | undefined = peer.issuerCertificate;
    if (!next || next === peer || next.raw?.equals(peer.raw)) break;
    peer = next;
  }
  return false;
}
