// The ValidatingAdmissionPolicy status kube-apiserver's type-checking controller writes:
// status.observedGeneration, and status.typeChecking.expressionWarnings naming every expression of
// the policy that does not compile (its field path and the compiler's message). The admission
// service runs it (it has the CEL environment the workers evaluate with); every replica may,
// since a write is a compare-and-swap of the same result.

import type { KubeObject } from '@kapi/apimachinery';
import { CelCompiler } from './compiler.js';

type Spec = {
  paramKind?: unknown;
  matchConditions?: { expression?: string }[];
  variables?: { expression?: string }[];
  validations?: { expression?: string; messageExpression?: string }[];
  auditAnnotations?: { valueExpression?: string }[];
};

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

const compiler = new CelCompiler(['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables']);

/** The expressions of a policy that fail to compile, with their field paths. */
export function policyExpressionWarnings(policy: KubeObject): ExpressionWarning[] {
  const spec = ((policy as { spec?: Spec }).spec ?? {}) as Spec;
  const out: ExpressionWarning[] = [];
  const check = (fieldRef: string, expression: string | undefined) => {
    if (!expression) return;
    const compiled = compiler.compile(expression);
    if (!compiled.ok) out.push({ fieldRef, warning: compiled.error });
  };
  (spec.matchConditions ?? []).forEach((c, i) => check(`spec.matchConditions[${i}].expression`, c.expression));
  (spec.variables ?? []).forEach((v, i) => check(`spec.variables[${i}].expression`, v.expression));
  (spec.validations ?? []).forEach((v, i) => {
    check(`spec.validations[${i}].expression`, v.expression);
    check(`spec.validations[${i}].messageExpression`, v.messageExpression);
  });
  (spec.auditAnnotations ?? []).forEach((v, i) => check(`spec.auditAnnotations[${i}].valueExpression`, v.valueExpression));
  return out;
}

/** The status a policy should have, or undefined when it already has it. */
export function policyStatus(policy: KubeObject): Record<string, unknown> | undefined {
  const generation = policy.metadata?.generation ?? 1;
  const warnings = policyExpressionWarnings(policy);
  const status = { observedGeneration: generation, typeChecking: warnings.length > 0 ? { expressionWarnings: warnings } : {} };
  const current = (policy as { status?: { observedGeneration?: number; typeChecking?: unknown } }).status;
  if (current?.observedGeneration === generation && JSON.stringify(current.typeChecking ?? {}) === JSON.stringify(status.typeChecking)) return undefined;
  return { ...(policy as { status?: Record<string, unknown> }).status, ...status };
}
