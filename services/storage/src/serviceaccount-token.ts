// The ServiceAccount "token" subresource (kube's pkg/registry/core/serviceaccount/storage/
// token.go TokenREST.Create): a TokenRequest for an existing ServiceAccount returns a signed,
// bound service-account JWT; nothing is stored. Claims are kube's (pkg/serviceaccount/claims.go
// Claims + GenerateToken): iss, sub, aud, exp, iat, nbf, jti and the private "kubernetes.io"
// claim naming the namespace, the ServiceAccount and the bound pod/secret/node with their uids.
//
// The signing key is --service-account-signing-key-file, read by every storage replica (kapi up
// and kapi cluster generate it into the data dir's PKI), so any replica may answer.

import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { type KubeObject, fieldPath, invalid, newBadRequest, newConflict, newInvalid } from '@kapi/apimachinery';

export interface ServiceAccountTokenOptions {
  /** PEM private key (RSA or EC) that signs tokens. */
  signingKeyPem: string;
  /** The first --service-account-issuer. */
  issuer: string;
  /** --api-audiences: the default audiences of a TokenRequest (default: [issuer]). */
  apiAudiences?: string[];
  /** --service-account-max-token-expiration in seconds; 0 = no maximum. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (kube's default: true): a pod-bound token asked
   * for exactly 3607 s (the kubelet's request) lives a year and carries warnafter instead. */
  extendExpiration?: boolean;
  now?: () => number;
}

/** Reads the flags' files into options. */
export async function serviceAccountTokenOptionsFromFiles(signingKeyFile: string, issuer: string, rest: Omit<ServiceAccountTokenOptions, 'signingKeyPem' | 'issuer'> = {}): Promise<ServiceAccountTokenOptions> {
  return { signingKeyPem: await readFile(signingKeyFile, 'utf8'), issuer, ...rest };
}

/** How the token endpoint reads the objects it binds to (core/v1, by plural). */
export type ObjectLookup = (resource: string, namespace: string, name: string) => Promise<KubeObject>;

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
/** token.WarnOnlyBoundTokenExpirationSeconds and ExpirationExtensionSeconds. */
const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;

/** A signer: the private key, its JWS algorithm and kid (serviceaccount keyIDFromPublicKey). */
export class ServiceAccountTokenIssuer {
  private readonly key: KeyObject;
  private readonly alg: string;
  private readonly kid: string;
  private readonly now: () => number;

  constructor(readonly options: ServiceAccountTokenOptions) {
    this.key = createPrivateKey(options.signingKeyPem);
    const pub = createPublicKey(this.key);
    this.kid = createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
    if (this.key.asymmetricKeyType === 'rsa') this.alg = 'RS256';
    else if (this.key.asymmetricKeyType === 'ec') {
      const curve = this.key.asymmetricKeyDetails?.namedCurve;
      this.alg = curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
    } else throw new Error(`service account signing key: unsupported key type ${this.key.asymmetricKeyType ?? ''}`);
    this.now = options.now ?? Date.now;
  }

  private get audiences(): string[] {
    return this.options.apiAudiences && this.options.apiAudiences.length > 0 ? this.options.apiAudiences : [this.options.issuer];
  }

  /** TokenREST.Create for serviceaccount `name` in `namespace`; `body` is the decoded TokenRequest. */
  async create(namespace: string, name: string, body: unknown, lookup: ObjectLookup): Promise<{ object: KubeObject; warnings: string[] }> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw newBadRequest('the object provided is unrecognized (must be of type TokenRequest)');
    const req = structuredClone(body) as KubeObject & { spec?: Record<string, unknown>; status?: unknown };
    const meta = (req.metadata ??= {});
    if (meta.name && meta.name !== name) {
      throw newInvalid(TOKEN_REQUEST, name, [invalid(fieldPath('metadata', 'name'), meta.name, 'must match the service account name if specified')]);
    }
    if (meta.namespace && meta.namespace !== namespace) {
      throw newInvalid(TOKEN_REQUEST, name, [invalid(fieldPath('metadata', 'namespace'), meta.namespace, 'must match the service account namespace if specified')]);
    }
    const sa = await lookup('serviceaccounts', namespace, name);
    const spec = (req.spec && typeof req.spec === 'object' ? req.spec : {}) as Record<string, unknown>;
    req.spec = spec;
    // SetDefaults_TokenRequestSpec, then the API audiences for an empty list
    if (spec.expirationSeconds === undefined || spec.expirationSeconds === null) spec.expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
    if (!Array.isArray(spec.audiences) || spec.audiences.length === 0) spec.audiences = [...this.audiences];
    meta.name ||= name;
    meta.namespace ||= namespace;
    const nowMs = this.now();
    const nowSeconds = Math.floor(nowMs / 1000);
    meta.creationTimestamp = new Date(nowSeconds * 1000).toISOString().replace('.000Z', 'Z');
    delete req.status;

    // ValidateTokenRequest
    const expiration = Number(spec.expirationSeconds);
    const errs = [];
    if (!Number.isInteger(expiration) || expiration < MIN_EXPIRATION_SECONDS) {
      errs.push(invalid(fieldPath('spec', 'expirationSeconds'), spec.expirationSeconds, 'may not specify a duration less than 10 minutes'));
    }
    if (expiration > MAX_EXPIRATION_SECONDS) errs.push(invalid(fieldPath('spec', 'expirationSeconds'), spec.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
    if (errs.length > 0) throw newInvalid(TOKEN_REQUEST, '', errs);

    const bound: Record<string, { name: string; uid: string }> = {};
    const ref = spec.boundObjectRef as { kind?: string; apiVersion?: string; name?: string; uid?: string } | undefined;
    if (ref && typeof ref === 'object') {
      const apiVersion = ref.apiVersion ?? '';
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
      const version = apiVersion.includes('/') ? apiVersion.split('/')[1]! : apiVersion;
      const kind = ref.kind ?? '';
      const refName = ref.name ?? '';
      let obj: KubeObject;
      if (group === '' && kind === 'Pod') {
        obj = await lookup('pods', namespace, refName);
        const podSa = (obj as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName ?? '';
        if (podSa !== name) throw newBadRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
        bound.pod = { name: refName, uid: obj.metadata?.uid ?? '' };
        const nodeName = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
        if (nodeName) {
          // ServiceAccountTokenPodNodeInfo: the pod's node, when it exists
          const node = await lookup('nodes', '', nodeName).catch(() => undefined);
          if (node) bound.node = { name: nodeName, uid: node.metadata?.uid ?? '' };
        }
      } else if (group === '' && kind === 'Node') {
        obj = await lookup('nodes', '', refName);
        bound.node = { name: refName, uid: obj.metadata?.uid ?? '' };
      } else if (group === '' && kind === 'Secret') {
        obj = await lookup('secrets', namespace, refName);
        bound.secret = { name: refName, uid: obj.metadata?.uid ?? '' };
      } else {
        // schema.GroupVersionKind.String(): "group/version, Kind=kind"
        throw newBadRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
      }
      if (ref.uid && ref.uid !== obj.metadata?.uid) {
        throw newConflict(
          { group, resource: kind },
          refName,
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
    }

    const warnings: string[] = [];
    const max = this.options.maxExpirationSeconds ?? 0;
    let seconds = expiration;
    if (max > 0 && seconds > max) {
      warnings.push(`requested expiration of ${seconds} seconds shortened to ${max} seconds`);
      seconds = max;
      spec.expirationSeconds = max;
    }

    // ExtendExpiration: the token lives a year, warnafter marks the requested lifetime; the
    // status still reports the requested expiration.
    let tokenSeconds = seconds;
    let warnAfter: number | undefined;
    if ((this.options.extendExpiration ?? true) && bound.pod && seconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS) {
      warnAfter = nowSeconds + seconds;
      tokenSeconds = Math.max(EXPIRATION_EXTENSION_SECONDS, max);
    }

    // claims, in the order go-jose writes the merged map (keys sorted)
    const k8s: Record<string, unknown> = { namespace };
    if (bound.node) k8s.node = bound.node;
    if (bound.pod) k8s.pod = bound.pod;
    if (bound.secret) k8s.secret = bound.secret;
    k8s.serviceaccount = { name: sa.metadata?.name ?? name, uid: sa.metadata?.uid ?? '' };
    if (warnAfter !== undefined) k8s.warnafter = warnAfter;
    const claims = {
      aud: spec.audiences as string[],
      exp: nowSeconds + tokenSeconds,
      iat: nowSeconds,
      iss: this.options.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: nowSeconds,
      sub: `system:serviceaccount:${namespace}:${name}`,
    };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: this.alg, kid: this.kid }).sign(this.key);
    req.status = { token, expirationTimestamp: new Date((nowSeconds + seconds) * 1000).toISOString().replace('.000Z', 'Z') };
    const orderedSpec: Record<string, unknown> = { audiences: spec.audiences, expirationSeconds: spec.expirationSeconds };
    if (spec.boundObjectRef !== undefined) orderedSpec.boundObjectRef = spec.boundObjectRef;
    const object = { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: meta, spec: orderedSpec, status: req.status } as KubeObject;
    return { object, warnings };
  }
}
