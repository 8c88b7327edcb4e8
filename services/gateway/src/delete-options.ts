// DeleteOptions, from a DELETE's body when it has one, else from its query, validated as kube's
// ValidateDeleteOptions validates them and turned into the bus message.

import { type FieldError, fieldPath, invalid, newBadRequest, notSupported } from '@kapi/apimachinery';
import type { DeleteOptions } from '@kapi/bus';
import { parseInt64Number, queryBool } from './go-strconv.js';
import { all, badRequestFrom, dryRunErrors, first, optionsInvalid } from './options.js';

/** metav1.DeleteOptions as decoded (pointer fields undefined when absent). */
export interface RawDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

/** DeleteOptions from the query (used when the request has no body). */
export function deleteOptionsFromQuery(q: URLSearchParams): RawDeleteOptions {
  const out: RawDeleteOptions = {};
  try {
    const grace = first(q, 'gracePeriodSeconds');
    if (grace !== undefined) out.gracePeriodSeconds = parseInt64Number(grace);
  } catch (err) {
    throw badRequestFrom(err);
  }
  const orphan = first(q, 'orphanDependents');
  if (orphan !== undefined) out.orphanDependents = queryBool(orphan);
  const policy = first(q, 'propagationPolicy');
  if (policy !== undefined) out.propagationPolicy = policy;
  const dryRun = all(q, 'dryRun');
  if (dryRun !== undefined) out.dryRun = dryRun;
  return out;
}

type JSONType = 'string' | 'int64' | 'bool';

function typeError(value: unknown, struct: string, path: string, goType: string): string {
  let name: string;
  if (Array.isArray(value)) name = 'array';
  else if (typeof value === 'string') name = 'string';
  else if (typeof value === 'number') name = `number ${JSON.stringify(value)}`;
  else if (typeof value === 'boolean') name = 'bool';
  else name = 'object';
  return `json: cannot unmarshal ${name} into Go struct field ${struct}.${path} of type ${goType}`;
}

function checkScalar(value: unknown, type: JSONType, struct: string, path: string, goType: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : typeError(value, struct, path, goType);
    case 'bool':
      return typeof value === 'boolean' ? undefined : typeError(value, struct, path, goType);
    case 'int64':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : typeError(value, struct, path, goType);
  }
}

/**
 * DeleteOptions from a decoded JSON body (kind DeleteOptions of any group version, or no kind).
 * Field type mismatches are 400s with encoding/json's text.
 */
export function deleteOptionsFromBody(body: unknown): RawDeleteOptions {
  if (body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw newBadRequest(`json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body === 'boolean' ? 'bool' : typeof body} into Go value of type v1.DeleteOptions`);
  }
  const o = body as Record<string, unknown>;
  if (typeof o.kind === 'string' && o.kind !== '' && o.kind !== 'DeleteOptions') {
    throw newBadRequest('decoded object cannot be converted to DeleteOptions');
  }
  const problems = [
    checkScalar(o.gracePeriodSeconds, 'int64', 'DeleteOptions', 'gracePeriodSeconds', 'int64'),
    checkScalar(o.orphanDependents, 'bool', 'DeleteOptions', 'orphanDependents', 'bool'),
    checkScalar(o.propagationPolicy, 'string', 'DeleteOptions', 'propagationPolicy', 'v1.DeletionPropagation'),
  ];
  const pre = o.preconditions;
  if (pre !== null && pre !== undefined) {
    if (typeof pre !== 'object' || Array.isArray(pre)) {
      problems.push(typeError(pre, 'DeleteOptions', 'preconditions', 'v1.Preconditions'));
    } else {
      const p = pre as Record<string, unknown>;
      problems.push(checkScalar(p.uid, 'string', 'Preconditions', 'preconditions.uid', 'types.UID'));
      problems.push(checkScalar(p.resourceVersion, 'string', 'Preconditions', 'preconditions.resourceVersion', 'string'));
    }
  }
  const dryRun = o.dryRun;
  if (dryRun !== null && dryRun !== undefined) {
    if (!Array.isArray(dryRun)) problems.push(typeError(dryRun, 'DeleteOptions', 'dryRun', '[]string'));
    else for (const v of dryRun) problems.push(checkScalar(v, 'string', 'DeleteOptions', 'dryRun', 'string'));
  }
  const problem = problems.find((p) => p !== undefined);
  if (problem !== undefined) throw newBadRequest(problem);

  const out: RawDeleteOptions = {};
  if (typeof o.gracePeriodSeconds === 'number') out.gracePeriodSeconds = o.gracePeriodSeconds;
  if (typeof o.orphanDependents === 'boolean') out.orphanDependents = o.orphanDependents;
  if (typeof o.propagationPolicy === 'string') out.propagationPolicy = o.propagationPolicy;
  if (pre !== null && typeof pre === 'object') {
    const p = pre as Record<string, unknown>;
    out.preconditions = {};
    if (typeof p.uid === 'string') out.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') out.preconditions.resourceVersion = p.resourceVersion;
  }
  if (Array.isArray(dryRun)) out.dryRun = dryRun.filter((v): v is string => typeof v === 'string');
  return out;
}

const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

/** ValidateDeleteOptions, then the bus message. orphanDependents (deprecated) maps to the
 * propagation policy it stands for: true = Orphan, false = Background. */
export function finishDeleteOptions(raw: RawDeleteOptions): DeleteOptions {
  const errs: FieldError[] = [];
  if (raw.orphanDependents !== undefined && raw.propagationPolicy !== undefined) {
    errs.push(invalid(fieldPath('propagationPolicy'), raw.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (raw.propagationPolicy !== undefined && !PROPAGATION_POLICIES.includes(raw.propagationPolicy)) {
    errs.push(notSupported(fieldPath('propagationPolicy'), raw.propagationPolicy, [...PROPAGATION_POLICIES, 'nil']));
  }
  errs.push(...dryRunErrors(raw.dryRun));
  if (errs.length > 0) throw optionsInvalid('DeleteOptions', errs);

  let policy = raw.propagationPolicy ?? '';
  if (policy === '' && raw.orphanDependents !== undefined) policy = raw.orphanDependents ? 'Orphan' : 'Background';
  const out: DeleteOptions = {
    propagationPolicy: policy,
    hasGracePeriodSeconds: raw.gracePeriodSeconds !== undefined,
    gracePeriodSeconds: raw.gracePeriodSeconds ?? 0,
    dryRun: raw.dryRun !== undefined && raw.dryRun.length > 0,
  };
  if (raw.preconditions) {
    out.preconditions = { uid: raw.preconditions.uid ?? '', resourceVersion: raw.preconditions.resourceVersion ?? '' };
  }
  return out;
}
