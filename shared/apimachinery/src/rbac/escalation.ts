// RBAC escalation prevention (pkg/registry/rbac/validation): a user may create or change a role,
// or bind one, only with rules it already holds itself — unless it may `escalate` (roles) or
// `bind` (bindings), or is a superuser. Covers() splits the rules asked for into atomic rules
// and looks for an owned rule covering each; what is missing is reported compacted, one rule per
// line, as kube prints it.

import { goQuote } from '../go-format.js';
import type { UserInfo } from '../types.js';
import type { PolicyRule } from './types.js';

const ALL = '*';
const has = (set: readonly string[] | undefined, v: string) => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, values: readonly string[] | undefined) => (values ?? []).every((v) => has(set, v));

/** BreakdownRule: one rule per verb × group × resource × name (or verb × URL). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        else for (const name of names) out.push({ apiGroups: [group], resources: [resource], resourceNames: [name], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(owned: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  if (has(owned, ALL)) return true;
  return (requested ?? []).every((r) => {
    if (has(owned, r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && (has(owned, `${r.slice(0, slash)}/*`) || has(owned, `*/${r.slice(slash + 1)}`));
  });
}

function nonResourceURLsCoverAll(owned: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  return (requested ?? []).every((url) => (owned ?? []).some((o) => o === ALL || o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1)))));
}

/** ruleCovers: whether `owner` grants everything `sub` does. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const ownerNames = owner.resourceNames ?? [];
  const names = (sub.resourceNames ?? []).length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resourceCoversAll(owner.resources, sub.resources) && nonResourceURLsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs) && names;
}

/** Covers: the atomic rules of `servant` no owner rule covers (empty when covered). */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of servant) for (const atom of breakdownRule(rule)) if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return missing;
}

/** CompactRules: atomic rules of one group and resource without names merge their verbs. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const single = (r.apiGroups ?? []).length === 1 && (r.resources ?? []).length === 1 && (r.resourceNames ?? []).length === 0 && (r.nonResourceURLs ?? []).length === 0;
    if (!single) {
      out.push(r);
      continue;
    }
    const key = `${r.apiGroups![0]}\u0000${r.resources![0]}`;
    const prior = simple.get(key);
    if (prior) {
      for (const v of r.verbs ?? []) if (!has(prior.verbs, v)) prior.verbs!.push(v);
    } else {
      const copy = { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...(r.verbs ?? [])] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** PolicyRule.CompactString. */
export function compactRuleString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length > 0) parts.push(`APIGroups:${goQuoteList(r.apiGroups!)}`);
  if ((r.resources ?? []).length > 0) parts.push(`Resources:${goQuoteList(r.resources!)}`);
  if ((r.nonResourceURLs ?? []).length > 0) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs!)}`);
  if ((r.resourceNames ?? []).length > 0) parts.push(`ResourceNames:${goQuoteList(r.resourceNames!)}`);
  if ((r.verbs ?? []).length > 0) parts.push(`Verbs:${goQuoteList(r.verbs!)}`);
  return `{${parts.join(', ')}}`;
}

/** ConfirmNoEscalation's message, or undefined when the owner's rules cover the servant's. */
export function escalationMessage(user: UserInfo, owner: readonly PolicyRule[], servant: readonly PolicyRule[], resolutionErrors: readonly string[]): string | undefined {
  const missing = uncoveredRules(owner, servant);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactRuleString))].sort();
  let msg = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (resolutionErrors.length > 0) msg += `; resolution errors: [${resolutionErrors.join(' ')}]`;
  return msg;
}
