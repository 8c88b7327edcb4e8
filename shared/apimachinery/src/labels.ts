// Label selectors, as k8s.io/apimachinery/pkg/labels: the string form clients send in
// ?labelSelector= (`a=b,c in (x,y),!d`), the metav1.LabelSelector form found in specs, matching
// against an object's labels, and the canonical string form. The lexer and parser follow kube's
// step by step, so that a bad selector is rejected with the very message kube-apiserver sends
// (400 BadRequest, e.g. `unable to parse requirement: found '', expected: '('`).

import { newBadRequest } from './errors.js';
import { aggregateFieldErrors, fieldPath, invalid, notSupported, type FieldError, type FieldPath } from './field.js';
import { compareGoStrings, goQuote, parseGoInt64 } from './go-format.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import type { StatusError } from './status.js';
import type { LabelSelector } from './types.js';

/** selection.Operator values as kube spells them. */
export type LabelOperator = '!' | '=' | '==' | 'in' | '!=' | 'notin' | 'exists' | 'gt' | 'lt';

const BINARY_OPERATORS: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS: readonly LabelOperator[] = [...BINARY_OPERATORS, 'exists', '!'];

/** An object's labels; absent means no labels. */
export type LabelSet = Readonly<Record<string, string>> | null | undefined;

function lookup(labels: LabelSet, key: string): string | undefined {
  if (!labels || !Object.hasOwn(labels, key)) return undefined;
  const v = labels[key];
  return typeof v === 'string' ? v : undefined;
}

/** One term of a selector: a key, an operator and (for most operators) values. */
export class LabelRequirement {
  /** Use newLabelRequirement (validating) or parseLabelSelector to build one. */
  constructor(
    readonly key: string,
    readonly operator: LabelOperator,
    readonly values: readonly string[],
  ) {}

  matches(labels: LabelSet): boolean {
    const value = lookup(labels, this.key);
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return value !== undefined && this.values.includes(value);
      case 'notin':
      case '!=':
        return value === undefined || !this.values.includes(value);
      case 'exists':
        return value !== undefined;
      case '!':
        return value === undefined;
      case 'gt':
      case 'lt': {
        if (value === undefined || this.values.length !== 1) return false;
        const have = parseGoInt64(value);
        const want = parseGoInt64(this.values[0]!);
        if (have === undefined || want === undefined) return false;
        return this.operator === 'gt' ? have > want : have < want;
      }
      default:
        return false;
    }
  }

  /** kube's Requirement.String(): `a=b`, `a in (x,y)` (values sorted), `!a`, `a>1`. */
  toString(): string {
    const op = this.operator;
    if (op === '!') return `!${this.key}`;
    if (op === 'exists') return this.key;
    const values = this.values.length === 1 ? this.values[0]! : sortedCopy(this.values).join(',');
    switch (op) {
      case '=':
      case '==':
      case '!=':
        return `${this.key}${op}${values}`;
      case 'in':
      case 'notin':
        return `${this.key} ${op} (${values})`;
      case 'gt':
        return `${this.key}>${values}`;
      case 'lt':
        return `${this.key}<${values}`;
      default:
        return this.key;
    }
  }
}

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort(compareGoStrings);
}

function childOf(path: FieldPath | null, name: string): FieldPath {
  return path ? path.child(name) : fieldPath(name);
}

function labelKeyError(key: string, path: FieldPath | null): FieldError | undefined {
  const msgs = isQualifiedName(key);
  return msgs.length > 0 ? invalid(path, key, msgs.join('; ')) : undefined;
}

/** The checks of kube's NewRequirement; the requirement plus every problem found. */
function buildRequirement(
  key: string,
  op: LabelOperator,
  values: readonly string[],
  path: FieldPath | null,
  emptyValuesShownAs: '[]' | 'null' = '[]',
): { requirement: LabelRequirement; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const keyErr = labelKeyError(key, childOf(path, 'key'));
  if (keyErr) errors.push(keyErr);
  const valuePath = childOf(path, 'values');
  // An empty list prints as [] or, where kube passes a nil slice, as null.
  const shown = values.length === 0 && emptyValuesShownAs === 'null' ? null : [...values];
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errors.push(invalid(valuePath, shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errors.push(invalid(valuePath, shown, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errors.push(invalid(valuePath, shown, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errors.push(invalid(valuePath, shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseGoInt64(v) === undefined) {
          errors.push(invalid(valuePath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errors.push(notSupported(childOf(path, 'operator'), op, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length > 0) errors.push(invalid(valuePath.index(i).key(key), v, msgs.join('; ')));
  });
  return { requirement: new LabelRequirement(key, op, [...values]), errors };
}

/** kube's NewRequirement; invalid input -> 400 BadRequest with the aggregated field errors. */
export function newLabelRequirement(key: string, op: LabelOperator, values: readonly string[]): LabelRequirement {
  const { requirement, errors } = buildRequirement(key, op, values, null);
  const text = aggregateFieldErrors(errors);
  if (text !== undefined) throw newBadRequest(text);
  return requirement;
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return compareGoStrings(a.key, b.key);
}

/** A parsed label selector: an AND of requirements, kept sorted by key. Immutable. */
export class LabelsSelector {
  private static readonly EVERYTHING = new LabelsSelector([], false);
  private static readonly NOTHING = new LabelsSelector([], true);

  private constructor(
    readonly requirements: readonly LabelRequirement[],
    private readonly selectsNothing: boolean,
  ) {}

  /** Matches every object (an empty selector). */
  static everything(): LabelsSelector {
    return LabelsSelector.EVERYTHING;
  }

  /** Matches no object (what a null metav1.LabelSelector means). */
  static nothing(): LabelsSelector {
    return LabelsSelector.NOTHING;
  }

  /** A selector of these requirements (sorted by key, stable for equal keys, as kube sorts). */
  static of(requirements: readonly LabelRequirement[]): LabelsSelector {
    return new LabelsSelector([...requirements].sort(byKey), false);
  }

  /** True when the selector does not restrict anything. */
  empty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  /** True only for the Nothing selector. */
  matchesNothing(): boolean {
    return this.selectsNothing;
  }

  matches(labels: LabelSet): boolean {
    if (this.selectsNothing) return false;
    return this.requirements.every((r) => r.matches(labels));
  }

  /** A copy with more requirements (Nothing stays Nothing). */
  add(...requirements: LabelRequirement[]): LabelsSelector {
    if (this.selectsNothing) return this;
    return LabelsSelector.of([...this.requirements, ...requirements]);
  }

  /**
   * The single value the selector requires for a label (first requirement on that key is `=`,
   * `==` or `in` with one value), else undefined. Lets a registry narrow a list.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (!r) return undefined;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }

  /** The canonical string form kube prints (requirements sorted by key, joined by ','). */
  toString(): string {
    return this.requirements.map((r) => r.toString()).join(',');
  }
}

// ---- lexer --------------------------------------------------------------------------------

const enum Tok {
  Error,
  End,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const KEYWORDS: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

interface Item {
  tok: Tok;
  lit: string;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean =>
  c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

/** kube's Lexer. A NUL character ends the input, as it does there. */
class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++]!;
    return '\0';
  }

  private unread(): void {
    this.pos--;
  }

  private scanIdOrKeyword(): Item {
    let lit = '';
    for (;;) {
      const c = this.read();
      if (c === '\0') break;
      if (isSpecial(c) || isWhitespace(c)) {
        this.unread();
        break;
      }
      lit += c;
    }
    return { tok: KEYWORDS.get(lit) ?? Tok.Identifier, lit };
  }

  /** Longest run of special characters that still forms an operator. */
  private scanSpecial(): Item {
    let buffer = '';
    let last: Item | undefined;
    for (;;) {
      const c = this.read();
      if (c === '\0') break;
      if (!isSpecial(c)) {
        this.unread();
        break;
      }
      buffer += c;
      const tok = KEYWORDS.get(buffer);
      if (tok !== undefined) {
        last = { tok, lit: buffer };
      } else if (last) {
        this.unread();
        break;
      }
    }
    return last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` };
  }

  lex(): Item {
    let c = this.read();
    while (isWhitespace(c)) c = this.read();
    if (c === '\0') return { tok: Tok.End, lit: '' };
    this.unread();
    return isSpecial(c) ? this.scanSpecial() : this.scanIdOrKeyword();
  }
}

// ---- parser -------------------------------------------------------------------------------

/** A parse failure carrying kube's message; converted to a BadRequest at the top. */
class SelectorSyntaxError extends Error {}

/** In a value position `in` and `notin` are plain identifiers (`a in (in)` is fine). */
const enum Ctx {
  KeyAndOperator,
  Values,
}

class Parser {
  private readonly items: Item[] = [];
  private position = 0;

  constructor(input: string) {
    const lexer = new Lexer(input);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.tok === Tok.End) break;
    }
  }

  private lookahead(ctx: Ctx): Item {
    return this.adjust(this.items[this.position]!, ctx);
  }

  private consume(ctx: Ctx): Item {
    return this.adjust(this.items[this.position++]!, ctx);
  }

  private adjust(item: Item, ctx: Ctx): Item {
    if (ctx === Ctx.Values && (item.tok === Tok.In || item.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: item.lit };
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Ctx.Values);
      if (tok === Tok.End) return requirements;
      if (tok !== Tok.Identifier && tok !== Tok.DoesNotExist) {
        throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const next = this.consume(Ctx.Values);
      if (next.tok === Tok.End) return requirements;
      if (next.tok !== Tok.Comma) throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(Ctx.Values);
      if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
        throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return checked(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    // kube collects values in a set and lists them sorted, dropping duplicates.
    return checked(key, op, [...values].sort(compareGoStrings));
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume(Ctx.Values);
    if (item.tok === Tok.DoesNotExist) {
      operator = '!';
      item = this.consume(Ctx.Values);
    }
    if (item.tok !== Tok.Identifier) throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
    // No path here: kube reports this error against a nil path, printed as "<nil>".
    const keyErr = labelKeyError(item.lit, null);
    if (keyErr) throw new SelectorSyntaxError(keyErr.errorString());
    const next = this.lookahead(Ctx.Values).tok;
    if ((next === Tok.End || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(Ctx.KeyAndOperator);
    switch (tok) {
      case Tok.In: return 'in';
      case Tok.Equals: return '=';
      case Tok.DoubleEquals: return '==';
      case Tok.GreaterThan: return 'gt';
      case Tok.LessThan: return 'lt';
      case Tok.NotIn: return 'notin';
      case Tok.NotEquals: return '!=';
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(Ctx.Values);
    if (open.tok !== Tok.OpenPar) throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Ctx.Values);
    if (tok === Tok.Identifier || tok === Tok.Comma) {
      const values = this.parseIdentifiersList();
      if (this.consume(Ctx.Values).tok !== Tok.ClosedPar) throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === Tok.ClosedPar) {
      this.consume(Ctx.Values);
      return new Set(['']);
    }
    throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  /** A comma-separated list in which empty entries are the empty string: `(,a,,b,)`. */
  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Ctx.Values);
      if (tok === Tok.Identifier) {
        values.add(lit);
        const next = this.lookahead(Ctx.Values);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return values;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === Tok.Comma) {
        if (values.size === 0) values.add('');
        const next = this.lookahead(Ctx.Values).tok;
        if (next === Tok.ClosedPar) {
          values.add('');
          return values;
        }
        if (next === Tok.Comma) values.add('');
        continue;
      }
      throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(Ctx.Values).tok;
    if (next === Tok.End || next === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

function checked(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  const { requirement, errors } = buildRequirement(key, op, values, null);
  const text = aggregateFieldErrors(errors);
  if (text !== undefined) throw new SelectorSyntaxError(text);
  return requirement;
}

/**
 * Parses the string form of a label selector (what ?labelSelector= carries). Invalid input ->
 * 400 BadRequest with kube's message. The empty string selects everything.
 */
export function parseLabelSelector(selector: string): LabelsSelector {
  let requirements: LabelRequirement[];
  try {
    requirements = new Parser(selector).parse();
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw newBadRequest(err.message);
    throw err;
  }
  return requirements.length === 0 ? LabelsSelector.everything() : LabelsSelector.of(requirements);
}

/** A selector requiring exactly these labels (no validation, as kube's SelectorFromSet). */
export function labelsSelectorFromSet(set: LabelSet): LabelsSelector {
  if (!set) return LabelsSelector.everything();
  const entries = Object.entries(set);
  if (entries.length === 0) return LabelsSelector.everything();
  return LabelsSelector.of(entries.map(([k, v]) => new LabelRequirement(k, '=', [v])));
}

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelector -> selector, as LabelSelectorAsSelector: null/undefined selects nothing,
 * an empty selector everything. Invalid input -> 400 BadRequest with kube's error text.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): LabelsSelector {
  if (ls === null || ls === undefined) return LabelsSelector.nothing();
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  const labelEntries = Object.entries(matchLabels);
  if (labelEntries.length + expressions.length === 0) return LabelsSelector.everything();
  const requirements: LabelRequirement[] = [];
  const fail = (errors: FieldError[]): StatusError => newBadRequest(aggregateFieldErrors(errors) ?? '');
  for (const [key, value] of labelEntries) {
    const { requirement, errors } = buildRequirement(key, '=', [String(value)], null);
    if (errors.length > 0) throw fail(errors);
    requirements.push(requirement);
  }
  for (const expr of expressions) {
    const op = Object.hasOwn(EXPRESSION_OPERATORS, expr.operator) ? EXPRESSION_OPERATORS[expr.operator] : undefined;
    if (op === undefined) throw newBadRequest(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    // kube copies the values with append([]string(nil), ...): no values is a nil slice.
    const { requirement, errors } = buildRequirement(String(expr.key), op, (expr.values ?? []).map(String), null, 'null');
    if (errors.length > 0) throw fail(errors);
    requirements.push(requirement);
  }
  return LabelsSelector.of(requirements);
}
