// The ValidatingAdmissionPolicy plugin (k8s.io/apiserver/pkg/admission/plugin/policy/validating):
// every binding whose policy matches the request (the policy's matchConstraints, the binding's
// matchResources) is evaluated against each of its params (paramKind + paramRef by name or
// selector; parameterNotFoundAction), after the policy's matchConditions, with its variables;
// each failing validation yields a decision the binding's validationActions turn into a denial
// (Deny), a warning (Warn) or an audit annotation (Audit). Evaluation errors follow the policy's
// failurePolicy (Fail: a failed validation; Ignore: nothing). Programs are compiled once per
// worker thread and cached (compiler.ts).

import { newInternalError, StatusError, type KubeObject, type LabelSelector, type StatusReason } from '@kapi/apimachinery';
import { admissionRequest } from '../admission-request.js';
import type { AdmissionAttributes, AdmissionPlugin, PluginContext } from '../chain.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type RuleWithOperations } from '../matching.js';
import { CelCompiler } from './compiler.js';
import { fromCelValue, toCelValue } from './environment.js';

interface MatchResources {
  namespaceSelector?: LabelSelector | null;
  objectSelector?: LabelSelector | null;
  resourceRules?: RuleWithOperations[];
  excludeResourceRules?: RuleWithOperations[];
  matchPolicy?: string;
}

interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  paramKind?: { apiVersion?: string; kind?: string } | null;
  matchConstraints?: MatchResources | null;
  matchConditions?: { name: string; expression: string }[];
  variables?: { name: string; expression: string }[];
  validations?: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
  auditAnnotations?: { key: string; valueExpression: string }[];
}

interface BindingSpec {
  policyName?: string;
  paramRef?: { name?: string; namespace?: string; selector?: LabelSelector | null; parameterNotFoundAction?: 'Allow' | 'Deny' } | null;
  matchResources?: MatchResources | null;
  validationActions?: ('Deny' | 'Warn' | 'Audit')[];
}

type Policy = KubeObject & { spec?: PolicySpec };
type Binding = KubeObject & { spec?: BindingSpec };

/** Where the plugin's configuration and data come from (the worker's snapshot and bridge). */
export interface PolicySource {
  policies(): KubeObject[];
  bindings(): KubeObject[];
  /** The params of a binding: by name (namespace '' for cluster-scoped kinds) or by selector. */
  params(paramKind: { apiVersion: string; kind: string }, namespace: string, ref: { name?: string; selector?: LabelSelector | null }): Promise<KubeObject[]>;
  /** Whether objects of the param kind live in namespaces (undefined: unknown kind). */
  paramNamespaced(paramKind: { apiVersion: string; kind: string }): boolean | undefined;
  namespace(name: string): Promise<KubeObject | undefined>;
}

interface Decision {
  message: string;
  reason: StatusReason;
  /** The validation's index (kube's expressionIndex); -1 for a failure outside validations. */
  expressionIndex: number;
}

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

const VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables'];

function matchesResources(m: MatchResources | null | undefined, a: AdmissionAttributes): boolean {
  if (!m) return true;
  if ((m.excludeResourceRules ?? []).some((r) => ruleMatches(r, a))) return false;
  // an absent resourceRules list (bindings) means "whatever the policy matches"
  if (m.resourceRules && !m.resourceRules.some((r) => ruleMatches(r, a))) return false;
  return objectSelectorMatches(m.objectSelector, a);
}

export function validatingAdmissionPolicyPlugin(source: PolicySource): AdmissionPlugin {
  const compiler = new CelCompiler(VARIABLES);

  /** Evaluates one expression; throws a described error for a compile or runtime failure. */
  const evaluate = (expression: string, activation: Record<string, unknown>): unknown => {
    const compiled = compiler.compile(expression);
    if (!compiled.ok) throw new Error(`compilation failed: ${compiled.error}`);
    return compiled.program(activation);
  };

  const namespaceLabels = async (ns: string) => (await source.namespace(ns))?.metadata?.labels;

  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a: AdmissionAttributes, context: PluginContext) {
      const policies = new Map<string, Policy>();
      for (const p of source.policies() as Policy[]) policies.set(p.metadata?.name ?? '', p);
      const bindings = (source.bindings() as Binding[]).slice().sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
      let request: Record<string, unknown> | undefined;
      let namespaceObject: unknown;
      let namespaceRead = false;
      const auditFailures: Record<string, unknown>[] = [];
      try {

        for (const binding of bindings) {
          const spec = binding.spec ?? {};
          const policy = policies.get(spec.policyName ?? '');
          if (!policy?.spec?.matchConstraints) continue;
          const pspec = policy.spec;
          const m = pspec.matchConstraints!;
          if (!(m.resourceRules ?? []).some((r) => ruleMatches(r, a)) || !matchesResources({ ...m, resourceRules: undefined }, a)) continue;
          if (!(await namespaceSelectorMatches(m.namespaceSelector, a, namespaceLabels))) continue;
          if (!matchesResources(spec.matchResources, a)) continue;
          if (spec.matchResources && !(await namespaceSelectorMatches(spec.matchResources.namespaceSelector, a, namespaceLabels))) continue;

          const policyName = policy.metadata?.name ?? '';
          const bindingName = binding.metadata?.name ?? '';
          const actions = spec.validationActions ?? [];
          const failClosed = (pspec.failurePolicy ?? 'Fail') === 'Fail';
          const decisions: Decision[] = [];
          const failed = (message: string, expressionIndex = -1) => {
            if (failClosed) decisions.push({ message, reason: 'Invalid', expressionIndex });
          };

          // params
          let paramsList: (KubeObject | null)[] = [null];
          if (pspec.paramKind?.kind) {
            const kind = { apiVersion: pspec.paramKind.apiVersion ?? 'v1', kind: pspec.paramKind.kind };
            const ref = spec.paramRef;
            if (!ref) {
              failed(`failed to configure binding: paramRef is required when paramKind is set`);
              paramsList = [];
            } else {
              const namespaced = source.paramNamespaced(kind);
              const ns = namespaced ? (ref.namespace || a.namespace) : '';
              let found: KubeObject[] = [];
              try {
                found = namespaced === undefined ? [] : await source.params(kind, ns, { name: ref.name, selector: ref.selector });
              } catch (err) {
                failed(`failed to fetch params: ${err instanceof Error ? err.message : String(err)}`);
              }
              if (found.length === 0) {
                paramsList = [];
                if ((ref.parameterNotFoundAction ?? 'Deny') === 'Deny') decisions.push({ message: 'no params found for policy binding with `Deny` parameterNotFoundAction', reason: 'Invalid', expressionIndex: -1 });
              } else paramsList = found;
            }
          }

          for (const params of paramsList) {
            request ??= toCelValue(admissionRequest(a)) as Record<string, unknown>;
            if (!namespaceRead) {
              namespaceRead = true;
              namespaceObject = a.namespace ? toCelValue((await source.namespace(a.namespace)) ?? null) : null;
            }
            const variables: Record<string, unknown> = {};
            const activation: Record<string, unknown> = {
              object: toCelValue(a.object ?? null),
              oldObject: toCelValue(a.oldObject ?? null),
              request,
              params: toCelValue(params),
              namespaceObject,
              variables,
            };
            // matchConditions: all must hold; an error follows the failure policy
            let matched = true;
            for (const cond of pspec.matchConditions ?? []) {
              try {
                const v = evaluate(cond.expression, activation);
                if (v !== true) {
                  matched = false;
                  break;
                }
              } catch (err) {
                matched = false;
                failed(`failed to evaluate match condition ${JSON.stringify(cond.name)}: ${(err as Error).message}`);
                break;
              }
            }
            if (!matched) continue;
            // variables, in order; a failing one is absent (and fails the expressions using it)
            for (const v of pspec.variables ?? []) {
              try {
                variables[v.name] = evaluate(v.expression, activation);
              } catch {
                // reported through the expressions that use it
              }
            }
            for (const [index, validation] of (pspec.validations ?? []).entries()) {
              let result: unknown;
              try {
                result = evaluate(validation.expression, activation);
              } catch (err) {
                failed(`expression '${validation.expression}' resulted in error: ${(err as Error).message}`, index);
                continue;
              }
              if (result === true) continue;
              if (result !== false) {
                failed(`expression '${validation.expression}' resulted in error: validation expression must evaluate to bool`, index);
                continue;
              }
              let message = validation.message ?? '';
              if (validation.messageExpression) {
                try {
                  const m2 = evaluate(validation.messageExpression, activation);
                  if (typeof m2 === 'string' && m2.trim() !== '' && !m2.includes('\n')) message = m2;
                } catch {
                  // kube falls back to message (or the default) when messageExpression fails
                }
              }
              if (message === '') message = `failed expression: ${validation.expression.trim()}`;
              decisions.push({ message, reason: (validation.reason as StatusReason | undefined) ?? 'Invalid', expressionIndex: index });
            }
            for (const ann of pspec.auditAnnotations ?? []) {
              // audit annotations are computed (and so checked) even without an audit backend
              try {
                const value = fromCelValue(evaluate(ann.valueExpression, activation));
                // a null value adds nothing; anything else must be a string
                if (value !== null && value !== undefined) {
                  if (typeof value !== 'string') throw new Error(`valueExpression must evaluate to a string or null, got ${typeof value}`);
                  context.addAuditAnnotation?.(`${policyName}/${ann.key}`, value);
                }
              } catch (err) {
                failed(`expression '${ann.valueExpression}' resulted in error: ${(err as Error).message}`);
              }
            }
          }

          for (const d of decisions) {
            if (actions.includes('Warn')) context.warn(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${d.message}`);
            if (actions.includes('Audit')) auditFailures.push({ message: d.message, policy: policyName, binding: bindingName, expressionIndex: d.expressionIndex, validationActions: actions });
          }
          const denied = actions.includes('Deny') ? decisions[0] : undefined;
          if (denied) throw denial(a, policyName, bindingName, denied);
        }
      } finally {
        // the Audit action: every failure of the request in one annotation, as kube writes it
        if (auditFailures.length > 0) context.addAuditAnnotation?.('validation.policy.admission.k8s.io/validation_failure', JSON.stringify(auditFailures));
      }
    },
  };
}

/** admission.NewForbidden with the validation's reason and code (dispatcher.go). */
function denial(a: AdmissionAttributes, policy: string, binding: string, d: Decision): StatusError {
  const message = `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${d.message}`;
  const name = a.name || a.object?.metadata?.name || 'Unknown';
  const resource = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const code = REASON_CODES[d.reason];
  if (code === undefined) return newInternalError(`unknown validation reason ${JSON.stringify(d.reason)}: ${message}`);
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${resource} ${JSON.stringify(name)} is forbidden: ${message}`,
    reason: d.reason,
    details: { name, ...(a.group ? { group: a.group } : {}), kind: a.resource, causes: [{ message }] },
    code,
  });
}
