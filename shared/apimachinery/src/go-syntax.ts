// Values that field errors print with Go's %#v verb (field.Error.ErrorBody falls back to %#v for
// values that are neither scalars nor fmt.Stringers). A GoSyntaxValue carries the text Go would
// print; renderBadValue prints it as it is instead of marshalling it as JSON.

import { compareGoStrings, goQuote } from './go-format.js';

/** A bad value already rendered as Go's %#v prints it. */
export class GoSyntaxValue {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** %#v of a map[string]string: `map[string]string{"a":"b", "c":"d"}` (keys sorted, as fmt
 * sorts map keys); a nil map prints `map[string]string(nil)`. */
export function goStringMapSyntax(map: Readonly<Record<string, string>> | null | undefined): GoSyntaxValue {
  if (map === null || map === undefined) return new GoSyntaxValue('map[string]string(nil)');
  const keys = Object.keys(map).sort(compareGoStrings);
  return new GoSyntaxValue(`map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(map[k]!)}`).join(', ')}}`);
}

/** %#v of a []string: `[]string{"a", "b"}`; nil prints `[]string(nil)`. */
export function goStringSliceSyntax(values: readonly string[] | null | undefined): GoSyntaxValue {
  if (values === null || values === undefined) return new GoSyntaxValue('[]string(nil)');
  return new GoSyntaxValue(`[]string{${values.map((v) => goQuote(v)).join(', ')}}`);
}
