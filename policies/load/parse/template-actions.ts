/**
 * Go-template actions (`{{ … }}`) found by one left-to-right pass.
 *
 * The regexes this replaces (`\{\{[^}]*\}\}` and friends) restart at every `{{` and rescan up to the next
 * `}`: quadratic on a line of `{{{{…` with no closer (minutes on a 1 MB justfile line). Here every
 * character is looked at a bounded number of times, and the count is reported so tests can prove it.
 */

/** Work done by a scan: characters examined (tests assert it grows linearly with the input). */
export interface ScanStats {
  steps: number;
}

export interface TemplateAction {
  /** Offset of the action's first character (`$` of `${{`, else the first `{`). */
  start: number;
  /** Offset just past the closing `}}`. */
  end: number;
  /** The text between the braces. */
  inner: string;
  /** The action was written `${{ … }}` (GitHub Actions expression). */
  dollar: boolean;
}

export interface ActionScanOptions {
  /** An action never spans lines (`[^}\n]`): make and just templates are one-line. */
  singleLine?: boolean;
  /** Report `${{ … }}` with its `$` (GitHub expressions) instead of starting at the braces. */
  dollar?: boolean;
}

/**
 * Every `{{ … }}` action whose inner text has no `}` (and, with `singleLine`, no newline), left to right
 * and non-overlapping — the matches `/\{\{[^}]*\}\}/g` gives — in linear time.
 */
export function templateActions(text: string, opts: ActionScanOptions = {}, stats?: ScanStats): TemplateAction[] {
  const out: TemplateAction[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (stats) stats.steps += (open < 0 ? text.length : open) - from + 1;
    if (open < 0) return out;
    // Every later start before the first stopper stops at that same stopper, so one inner scan serves all.
    let i = open + 2;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x7d /* } */ || (opts.singleLine === true && c === 0x0a)) break;
      i++;
    }
    if (stats) stats.steps += i - open - 1;
    if (i >= text.length) return out;
    if (text.charCodeAt(i) === 0x7d && text.charCodeAt(i + 1) === 0x7d) {
      const dollar = opts.dollar === true && open > from && text.charCodeAt(open - 1) === 0x24; /* $ */
      out.push({ start: dollar ? open - 1 : open, end: i + 2, inner: text.slice(open + 2, i), dollar });
      from = i + 2;
    } else {
      from = i + 1;
    }
  }
}

/** `text` with each action replaced by `replace(action)`, in one pass. */
export function replaceTemplateActions(
  text: string,
  opts: ActionScanOptions,
  replace: (action: TemplateAction) => string,
  stats?: ScanStats,
): string {
  const actions = templateActions(text, opts, stats);
  if (actions.length === 0) return text;
  let out = '';
  let last = 0;
  for (const a of actions) {
    out += text.slice(last, a.start) + replace(a);
    last = a.end;
  }
  return out + text.slice(last);
}

// Helm's own objects and functions. Both are tried on one action's inner text only, and neither can
// backtrack more than a fixed distance: a start is `^`, a blank, `(` or `|`, followed by fixed words.
const HELM_OBJECT = /(?:^-?|[\s(|])\$?\.(?:Values|Release|Chart|Capabilities|Files|Template)\b/;
const HELM_FUNCTION = /^-?\s*(?:include|required|toYaml|tpl|default)\s/;

/** True when an action uses Helm's objects or functions: the text is a chart template, not a Go template. */
export function isHelmAction(inner: string): boolean {
  return HELM_FUNCTION.test(inner) || HELM_OBJECT.test(inner);
}

/** True when `text` holds a Helm template action (`{{ .Values.x }}`, `{{ include "x" . }}`, …). */
export function hasHelmAction(text: string, stats?: ScanStats): boolean {
  if (!text.includes('{{')) return false;
  // Actions nest (`{{ x {{ y }}`): the regex this replaces also matched from the outer `{{`.
  return templateActions(text, {}, stats).some((a) => isHelmAction(a.inner));
}
