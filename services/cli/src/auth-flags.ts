// kube-apiserver's authentication, authorization and protective-filter (HSTS, CORS) flags, shared by `kapi up`, `kapi run` and
// `kapi cluster`: how they are declared, what they become for the gateway (authenticator,
// authorizer) and for storage (the TokenRequest signer), and how `kapi cluster` hands them on.

import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { type AuthenticationOptions, parseAuthorizationModes } from '@kapi/gateway';
import type { ServiceAccountTokenOptions } from '@kapi/storage';

/** The issuer kubeadm configures, used by `kapi up` / `kapi cluster` when none is given. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface AuthFlags {
  anonymousAuth?: boolean;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth?: boolean;
  authenticationConfig?: string;
  authenticationTokenWebhookConfigFile?: string;
  authenticationTokenWebhookCacheTtl?: number;
  authenticationTokenWebhookVersion?: 'v1' | 'v1beta1';
  requestheaderClientCaFile?: string;
  requestheaderAllowedNames?: string[];
  requestheaderUsernameHeaders?: string[];
  requestheaderUidHeaders?: string[];
  requestheaderGroupHeaders?: string[];
  requestheaderExtraHeadersPrefix?: string[];
  serviceAccountKeyFile?: string[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer?: string[];
  apiAudiences?: string[];
  serviceAccountMaxTokenExpiration?: number;
  serviceAccountExtendTokenExpiration?: boolean;
  serviceAccountJwksUri?: string;
  authorizationMode?: string[];
  authorizationWebhookConfigFile?: string;
  authorizationWebhookVersion?: 'v1' | 'v1beta1';
  authorizationWebhookCacheAuthorizedTtl?: number;
  authorizationWebhookCacheUnauthorizedTtl?: number;
  strictTransportSecurityDirectives?: string[];
  corsAllowedOrigins?: string[];
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: number;
  auditLogMaxbackup?: number;
  auditLogMaxage?: number;
  auditWebhookConfigFile?: string;
  auditWebhookBatchMaxWait?: number;
}

/** What `kapi up` and `kapi cluster` authorize with when --authorization-mode is not given:
 * kubeadm's Node,RBAC (the admin kubeconfig is system:masters, allowed everything). */
export const DEFAULT_CLUSTER_AUTHORIZATION_MODES = ['Node', 'RBAC'];

export function goBool(value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean value "${value}"`);
}

function repeat(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Go duration seconds (e.g. 24h, 3600s) for --service-account-max-token-expiration. */
function seconds(value: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be a duration like 24h or 3600s');
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

function webhookVersion(value: string): 'v1' | 'v1beta1' {
  if (value !== 'v1' && value !== 'v1beta1') throw new InvalidArgumentError('must be v1 or v1beta1');
  return value;
}

function modes(value: string): string[] {
  try {
    return parseAuthorizationModes(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Declares the flags on a command (kube's names). */
export function addAuthFlags(cmd: Command): Command {
  return cmd
    .option('--anonymous-auth <bool>', 'allow requests without credentials as system:anonymous', goBool)
    .option('--token-auth-file <file>', 'static bearer tokens: CSV token,user,uid,"group1,group2"')
    .option('--enable-bootstrap-token-auth [bool]', 'authenticate bootstrap tokens (Secrets kube-system/bootstrap-token-<id>)', goBool)
    .option('--authentication-config <file>', 'AuthenticationConfiguration (apiserver.config.k8s.io/v1): JWT/OIDC issuers')
    .option('--authentication-token-webhook-config-file <file>', 'kubeconfig of the token authentication webhook (TokenReview)')
    .option('--authentication-token-webhook-cache-ttl <duration>', 'how long webhook answers are cached (default 2m)', seconds)
    .option('--authentication-token-webhook-version <v>', 'TokenReview version sent to the webhook: v1 or v1beta1 (default)', webhookVersion)
    .option('--requestheader-client-ca-file <file>', 'CA of front proxies allowed to assert users in request headers')
    .option('--requestheader-allowed-names <list>', 'front-proxy certificate CNs allowed (empty: any)', commaList)
    .option('--requestheader-username-headers <list>', 'headers naming the user, e.g. X-Remote-User', commaList)
    .option('--requestheader-uid-headers <list>', 'headers naming the user uid, e.g. X-Remote-Uid', commaList)
    .option('--requestheader-group-headers <list>', 'headers naming groups, e.g. X-Remote-Group', commaList)
    .option('--requestheader-extra-headers-prefix <list>', 'header prefixes of user extras, e.g. X-Remote-Extra-', commaList)
    .option('--service-account-key-file <file>', 'PEM keys that verify service-account tokens (repeatable)', repeat)
    .option('--service-account-signing-key-file <file>', 'PEM private key that signs service-account tokens')
    .option('--service-account-issuer <url>', 'issuer of service-account tokens (repeatable; the first signs)', repeat)
    .option('--api-audiences <list>', 'audiences of the API (default: the first issuer)', commaList)
    .option('--service-account-max-token-expiration <duration>', 'longest TokenRequest expiration', seconds)
    .option('--service-account-extend-token-expiration <bool>', 'extend pod-bound 3607 s tokens to a year with warnafter (default true)', goBool)
    .option('--service-account-jwks-uri <url>', 'jwks_uri of the service-account discovery document')
    .option('--authorization-mode <modes>', 'ordered authorizers: Node, RBAC, Webhook, AlwaysAllow, AlwaysDeny', modes)
    .option('--authorization-webhook-config-file <file>', 'kubeconfig of the authorization webhook (SubjectAccessReview)')
    .option('--authorization-webhook-version <v>', 'SubjectAccessReview version sent to the webhook: v1 or v1beta1 (default)', webhookVersion)
    .option('--authorization-webhook-cache-authorized-ttl <duration>', 'how long allowed answers are cached (default 5m)', seconds)
    .option('--authorization-webhook-cache-unauthorized-ttl <duration>', 'how long other answers are cached (default 30s)', seconds)
    .option('--strict-transport-security-directives <list>', 'HSTS directives, e.g. max-age=31536000,includeSubDomains,preload', commaList)
    .option('--cors-allowed-origins <list>', 'regular expressions of allowed CORS origins, comma-separated', commaList)
    .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy: which requests are audited at which level')
    .option('--audit-log-path <file>', 'audit log (JSON lines); "-" for standard output')
    .option('--audit-log-maxsize <MB>', 'audit log size before rotation (0: never)', count)
    .option('--audit-log-maxbackup <n>', 'rotated audit logs kept (0: all)', count)
    .option('--audit-log-maxage <days>', 'days rotated audit logs are kept (0: forever)', count)
    .option('--audit-webhook-config-file <file>', 'kubeconfig of the audit webhook (batched EventLists)')
    .option('--audit-webhook-batch-max-wait <duration>', 'longest a batch waits before it is sent (default 30s)', seconds);
}

export function authFlagsFrom(o: Record<string, unknown>): AuthFlags {
  return {
    anonymousAuth: o.anonymousAuth as boolean | undefined,
    tokenAuthFile: o.tokenAuthFile as string | undefined,
    enableBootstrapTokenAuth: o.enableBootstrapTokenAuth as boolean | undefined,
    authenticationConfig: o.authenticationConfig as string | undefined,
    authenticationTokenWebhookConfigFile: o.authenticationTokenWebhookConfigFile as string | undefined,
    authenticationTokenWebhookCacheTtl: o.authenticationTokenWebhookCacheTtl as number | undefined,
    authenticationTokenWebhookVersion: o.authenticationTokenWebhookVersion as 'v1' | 'v1beta1' | undefined,
    requestheaderClientCaFile: o.requestheaderClientCaFile as string | undefined,
    requestheaderAllowedNames: o.requestheaderAllowedNames as string[] | undefined,
    requestheaderUsernameHeaders: o.requestheaderUsernameHeaders as string[] | undefined,
    requestheaderUidHeaders: o.requestheaderUidHeaders as string[] | undefined,
    requestheaderGroupHeaders: o.requestheaderGroupHeaders as string[] | undefined,
    requestheaderExtraHeadersPrefix: o.requestheaderExtraHeadersPrefix as string[] | undefined,
    serviceAccountKeyFile: o.serviceAccountKeyFile as string[] | undefined,
    serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile as string | undefined,
    serviceAccountIssuer: o.serviceAccountIssuer as string[] | undefined,
    apiAudiences: o.apiAudiences as string[] | undefined,
    serviceAccountMaxTokenExpiration: o.serviceAccountMaxTokenExpiration as number | undefined,
    serviceAccountExtendTokenExpiration: o.serviceAccountExtendTokenExpiration as boolean | undefined,
    serviceAccountJwksUri: o.serviceAccountJwksUri as string | undefined,
    authorizationMode: o.authorizationMode as string[] | undefined,
    authorizationWebhookConfigFile: o.authorizationWebhookConfigFile as string | undefined,
    authorizationWebhookVersion: o.authorizationWebhookVersion as 'v1' | 'v1beta1' | undefined,
    authorizationWebhookCacheAuthorizedTtl: o.authorizationWebhookCacheAuthorizedTtl as number | undefined,
    authorizationWebhookCacheUnauthorizedTtl: o.authorizationWebhookCacheUnauthorizedTtl as number | undefined,
    strictTransportSecurityDirectives: o.strictTransportSecurityDirectives as string[] | undefined,
    corsAllowedOrigins: o.corsAllowedOrigins as string[] | undefined,
    auditPolicyFile: o.auditPolicyFile as string | undefined,
    auditLogPath: o.auditLogPath as string | undefined,
    auditLogMaxsize: o.auditLogMaxsize as number | undefined,
    auditLogMaxbackup: o.auditLogMaxbackup as number | undefined,
    auditLogMaxage: o.auditLogMaxage as number | undefined,
    auditWebhookConfigFile: o.auditWebhookConfigFile as string | undefined,
    auditWebhookBatchMaxWait: o.auditWebhookBatchMaxWait as number | undefined,
  };
}

/** The gateway's authentication options. */
export function gatewayAuthentication(f: AuthFlags): AuthenticationOptions {
  return {
    anonymous: f.anonymousAuth,
    tokenAuthFile: f.tokenAuthFile,
    enableBootstrapTokenAuth: f.enableBootstrapTokenAuth,
    authenticationConfigFile: f.authenticationConfig,
    webhookConfigFile: f.authenticationTokenWebhookConfigFile,
    webhookCacheTtlMs: f.authenticationTokenWebhookCacheTtl === undefined ? undefined : f.authenticationTokenWebhookCacheTtl * 1000,
    webhookVersion: f.authenticationTokenWebhookVersion,
    requestHeader: f.requestheaderClientCaFile
      ? {
          clientCA: '', // the PEM is read into the gateway's TLS options (requestHeaderCA)
          allowedNames: f.requestheaderAllowedNames,
          usernameHeaders: f.requestheaderUsernameHeaders,
          uidHeaders: f.requestheaderUidHeaders,
          groupHeaders: f.requestheaderGroupHeaders,
          extraHeaderPrefixes: f.requestheaderExtraHeadersPrefix,
        }
      : undefined,
    serviceAccountKeyFiles: f.serviceAccountKeyFile,
    serviceAccountIssuers: f.serviceAccountIssuer,
    apiAudiences: f.apiAudiences,
    serviceAccountJwksUri: f.serviceAccountJwksUri,
  };
}

/** The gateway's authorization options (modes, and the webhook's when mode Webhook is used), its
 * HSTS and CORS settings, and its audit pipeline. */
export function gatewayAuthorization(f: AuthFlags): {
  strictTransportSecurityDirectives?: string[];
  corsAllowedOrigins?: string[];
  audit?: { policyFile: string; logPath?: string; logMaxSizeMB?: number; logMaxBackups?: number; logMaxAgeDays?: number; webhookConfigFile?: string; webhookBatchMaxWaitMs?: number };
  authorizationModes?: string[];
  authorizationWebhook?: { configFile: string; version?: 'v1' | 'v1beta1'; authorizedTtlMs?: number; unauthorizedTtlMs?: number } } {
  const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  return {
    strictTransportSecurityDirectives: f.strictTransportSecurityDirectives,
    corsAllowedOrigins: f.corsAllowedOrigins,
    audit: f.auditPolicyFile
      ? {
          policyFile: f.auditPolicyFile,
          logPath: f.auditLogPath,
          logMaxSizeMB: f.auditLogMaxsize,
          logMaxBackups: f.auditLogMaxbackup,
          logMaxAgeDays: f.auditLogMaxage,
          webhookConfigFile: f.auditWebhookConfigFile,
          webhookBatchMaxWaitMs: ms(f.auditWebhookBatchMaxWait),
        }
      : undefined,
    authorizationModes: f.authorizationMode,
    authorizationWebhook: f.authorizationWebhookConfigFile
      ? {
          configFile: f.authorizationWebhookConfigFile,
          version: f.authorizationWebhookVersion,
          authorizedTtlMs: ms(f.authorizationWebhookCacheAuthorizedTtl),
          unauthorizedTtlMs: ms(f.authorizationWebhookCacheUnauthorizedTtl),
        }
      : undefined,
  };
}

/** Storage's TokenRequest signer, when a signing key and an issuer are configured. */
export async function storageTokenOptions(f: AuthFlags): Promise<ServiceAccountTokenOptions | undefined> {
  const issuer = f.serviceAccountIssuer?.[0];
  if (!f.serviceAccountSigningKeyFile || !issuer) return undefined;
  return {
    signingKeyPem: await readFile(f.serviceAccountSigningKeyFile, 'utf8'),
    issuer,
    apiAudiences: f.apiAudiences,
    maxExpirationSeconds: f.serviceAccountMaxTokenExpiration,
    extendExpiration: f.serviceAccountExtendTokenExpiration,
  };
}

/** The flags again, as `kapi run` arguments (kapi cluster hands them to its children). */
export function authFlagArgs(f: AuthFlags): string[] {
  const args: string[] = [];
  if (f.anonymousAuth !== undefined) args.push(`--anonymous-auth=${f.anonymousAuth}`);
  if (f.tokenAuthFile) args.push('--token-auth-file', f.tokenAuthFile);
  if (f.enableBootstrapTokenAuth !== undefined) args.push(`--enable-bootstrap-token-auth=${f.enableBootstrapTokenAuth}`);
  if (f.authenticationConfig) args.push('--authentication-config', f.authenticationConfig);
  if (f.authenticationTokenWebhookConfigFile) args.push('--authentication-token-webhook-config-file', f.authenticationTokenWebhookConfigFile);
  if (f.authenticationTokenWebhookCacheTtl !== undefined) args.push('--authentication-token-webhook-cache-ttl', `${f.authenticationTokenWebhookCacheTtl}s`);
  if (f.authenticationTokenWebhookVersion) args.push('--authentication-token-webhook-version', f.authenticationTokenWebhookVersion);
  if (f.requestheaderClientCaFile) args.push('--requestheader-client-ca-file', f.requestheaderClientCaFile);
  const lists: [string, string[] | undefined][] = [
    ['--requestheader-allowed-names', f.requestheaderAllowedNames],
    ['--requestheader-username-headers', f.requestheaderUsernameHeaders],
    ['--requestheader-uid-headers', f.requestheaderUidHeaders],
    ['--requestheader-group-headers', f.requestheaderGroupHeaders],
    ['--requestheader-extra-headers-prefix', f.requestheaderExtraHeadersPrefix],
  ];
  for (const [flag, values] of lists) if (values?.length) args.push(flag, values.join(','));
  for (const k of f.serviceAccountKeyFile ?? []) args.push('--service-account-key-file', k);
  if (f.serviceAccountSigningKeyFile) args.push('--service-account-signing-key-file', f.serviceAccountSigningKeyFile);
  for (const i of f.serviceAccountIssuer ?? []) args.push('--service-account-issuer', i);
  if (f.apiAudiences?.length) args.push('--api-audiences', f.apiAudiences.join(','));
  if (f.serviceAccountMaxTokenExpiration !== undefined) args.push('--service-account-max-token-expiration', `${f.serviceAccountMaxTokenExpiration}s`);
  if (f.serviceAccountExtendTokenExpiration !== undefined) args.push(`--service-account-extend-token-expiration=${f.serviceAccountExtendTokenExpiration}`);
  if (f.serviceAccountJwksUri) args.push('--service-account-jwks-uri', f.serviceAccountJwksUri);
  if (f.authorizationMode?.length) args.push('--authorization-mode', f.authorizationMode.join(','));
  if (f.authorizationWebhookConfigFile) args.push('--authorization-webhook-config-file', f.authorizationWebhookConfigFile);
  if (f.authorizationWebhookVersion) args.push('--authorization-webhook-version', f.authorizationWebhookVersion);
  if (f.authorizationWebhookCacheAuthorizedTtl !== undefined) args.push('--authorization-webhook-cache-authorized-ttl', `${f.authorizationWebhookCacheAuthorizedTtl}s`);
  if (f.authorizationWebhookCacheUnauthorizedTtl !== undefined) args.push('--authorization-webhook-cache-unauthorized-ttl', `${f.authorizationWebhookCacheUnauthorizedTtl}s`);
  if (f.strictTransportSecurityDirectives?.length) args.push('--strict-transport-security-directives', f.strictTransportSecurityDirectives.join(','));
  if (f.corsAllowedOrigins?.length) args.push('--cors-allowed-origins', f.corsAllowedOrigins.join(','));
  if (f.auditPolicyFile) args.push('--audit-policy-file', f.auditPolicyFile);
  if (f.auditLogPath) args.push('--audit-log-path', f.auditLogPath);
  if (f.auditLogMaxsize !== undefined) args.push('--audit-log-maxsize', String(f.auditLogMaxsize));
  if (f.auditLogMaxbackup !== undefined) args.push('--audit-log-maxbackup', String(f.auditLogMaxbackup));
  if (f.auditLogMaxage !== undefined) args.push('--audit-log-maxage', String(f.auditLogMaxage));
  if (f.auditWebhookConfigFile) args.push('--audit-webhook-config-file', f.auditWebhookConfigFile);
  if (f.auditWebhookBatchMaxWait !== undefined) args.push('--audit-webhook-batch-max-wait', `${f.auditWebhookBatchMaxWait}s`);
  return args;
}

/**
 * What `kapi up` / `kapi cluster` use: the given flags, with the data dir's generated
 * service-account key pair (sa.key signs, sa.pub verifies), kubeadm's issuer when none given,
 * and Node,RBAC authorization unless --authorization-mode says otherwise.
 */
export function withGeneratedServiceAccountKeys(f: AuthFlags, keys: { keyFile: string; pubFile: string }): AuthFlags {
  // kube: the verification keys default to the signing key; tokens signed with the generated key
  // must verify too, so its public half joins any --service-account-key-file given.
  const signing = f.serviceAccountSigningKeyFile ?? keys.keyFile;
  const verifying = f.serviceAccountKeyFile?.length ? [...f.serviceAccountKeyFile] : [];
  if (!f.serviceAccountSigningKeyFile) verifying.push(keys.pubFile);
  else if (verifying.length === 0) verifying.push(signing);
  return {
    ...f,
    serviceAccountSigningKeyFile: signing,
    serviceAccountKeyFile: verifying,
    serviceAccountIssuer: f.serviceAccountIssuer?.length ? f.serviceAccountIssuer : [DEFAULT_SERVICE_ACCOUNT_ISSUER],
    authorizationMode: f.authorizationMode?.length ? f.authorizationMode : DEFAULT_CLUSTER_AUTHORIZATION_MODES,
  };
}

/** The PEM of --requestheader-client-ca-file, for the gateway's TLS options. */
export async function requestHeaderCA(f: AuthFlags): Promise<string | undefined> {
  return f.requestheaderClientCaFile ? readFile(f.requestheaderClientCaFile, 'utf8') : undefined;
}
