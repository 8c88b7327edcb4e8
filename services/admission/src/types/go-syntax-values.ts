// Go's %#v renderings of the API values kube's apps and batch validation passes to field.Invalid
// (metav1.LabelSelector, intstr.IntOrString): field.Error prints values that are not scalars or
// fmt.Stringers with %#v, so `kubectl` shows e.g. `v1.LabelSelector{MatchLabels:...}`.

import { GoSyntaxValue, goQuote, goStringMapSyntax } from '@kapi/apimachinery';
import { isObject, listAt, stringAt, stringMap } from './json.js';

function stringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map((v) => goQuote(String(v))).join(', ')}}`;
}

/** %#v of a metav1.LabelSelector; a nil pointer prints as field.Error prints nil: "null". */
export function labelSelectorSyntax(selector: unknown): GoSyntaxValue | string {
  if (!isObject(selector)) return 'null';
  const matchLabels = isObject(selector.matchLabels) ? goStringMapSyntax(stringMap(selector.matchLabels)).text : 'map[string]string(nil)';
  const expressions = Array.isArray(selector.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${listAt(selector, 'matchExpressions')
        .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(stringAt(e, 'key'))}, Operator:${goQuote(stringAt(e, 'operator'))}, Values:${stringSlice(isObject(e) ? e.values : undefined)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoSyntaxValue(`v1.LabelSelector{MatchLabels:${matchLabels}, MatchExpressions:${expressions}}`);
}

/** %#v of an intstr.IntOrString (Type 0 = Int, 1 = String). */
export function intOrStringSyntax(value: unknown): GoSyntaxValue {
  if (typeof value === 'string') return new GoSyntaxValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(value)}}`);
  const n = typeof value === 'number' ? value : 0;
  return new GoSyntaxValue(`intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`);
}

/** %#v of a map[string]string that may be nil. */
export function labelsSyntax(labels: unknown): GoSyntaxValue {
  return goStringMapSyntax(isObject(labels) ? stringMap(labels) : null);
}

/** %#v of an update strategy struct whose RollingUpdate pointer is printed as Go prints a
 * pointer inside %#v: `(*T)(nil)` when unset (a set pointer prints its address upstream, which
 * no client can rely on; kapi prints `(*T)(0x0)` there). */
export function strategySyntax(goType: string, rollingUpdateType: string, strategy: unknown): GoSyntaxValue {
  const type = stringAt(strategy, 'type');
  const rolling = isObject(strategy) && isObject(strategy.rollingUpdate) ? '0x0' : 'nil';
  return new GoSyntaxValue(`${goType}{Type:${goQuote(type)}, RollingUpdate:(*${rollingUpdateType})(${rolling})}`);
}
