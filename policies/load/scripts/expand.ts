/**
 * Expansion of words found in build scripts, without running anything: variables assigned in the same
 * file are substituted, quotes removed, and whatever cannot be known (`$(git rev-parse HEAD)`, `$1`, an
 * unset variable) becomes `*`, so `localhost/blog-$name:latest` is the glob `localhost/blog-*:latest`.
 */
import { replaceTemplateActions } from '../parse/template-actions.js';

/** How a variable's value is written, which decides how it is expanded in turn. */
export type ValueSyntax = 'shell' | 'make' | 'literal' | 'template';

export interface VarDef {
  raw: string;
  syntax: ValueSyntax;
  /** Where it was assigned: the latest assignment before a use wins. */
  offset: number;
}

export class VarTable {
  private readonly defs = new Map<string, VarDef[]>();

  define(name: string, def: VarDef): void {
    const list = this.defs.get(name) ?? [];
    list.push(def);
    this.defs.set(name, list);
  }

  /** The last assignment before `offset`; failing that the first after it (functions defined first, called later). */
  lookup(name: string, offset: number): VarDef | undefined {
    const list = this.defs.get(name);
    if (!list || list.length === 0) return undefined;
    let before: VarDef | undefined;
    for (const d of list) if (d.offset <= offset && (!before || d.offset >= before.offset)) before = d;
    return before ?? list.reduce((a, b) => (b.offset < a.offset ? b : a));
  }
}

/** The syntax words are written in: decides what `$(X)` and `{{x}}` mean. */
export type WordDialect = 'shell' | 'make' | 'just' | 'task' | 'workflow';

export const UNKNOWN = '*';

interface Ctx {
  vars: VarTable;
  dialect: WordDialect;
  offset: number;
  guard: ReadonlySet<string>;
}

function resolveVar(name: string, ctx: Ctx): string | undefined {
  if (ctx.guard.has(name)) return undefined;
  const def = ctx.vars.lookup(name, ctx.offset);
  if (!def) return undefined;
  const guard = new Set(ctx.guard).add(name);
  const inner: Ctx = { ...ctx, guard, offset: def.offset };
  switch (def.syntax) {
    case 'literal':
      return def.raw;
    case 'shell':
      return expandWith(def.raw, { ...inner, dialect: 'shell' });
    case 'make':
      return expandWith(def.raw, { ...inner, dialect: 'make' });
    case 'template':
      return expandTemplateValue(def.raw, inner);
  }
}

/** Values in Taskfile vars and workflow env: plain text with `{{.X}}` / `${{ env.X }}` templates only. */
function expandTemplateValue(raw: string, ctx: Ctx): string {
  return replaceTemplateActions(raw, { dollar: true }, (a) =>
    a.dollar ? githubExpression(a.inner, ctx) : templateExpression(a.inner, ctx),
  );
}

function githubExpression(expr: string, ctx: Ctx): string {
  const m = /^\s*env\.([A-Za-z_][\w-]*)\s*$/.exec(expr.replace(/\u0001/g, ' '));
  return (m && resolveVar(m[1] as string, ctx)) ?? UNKNOWN;
}

function templateExpression(expr: string, ctx: Ctx): string {
  const e = expr.replace(/\u0001/g, ' ').trim();
  const m = ctx.dialect === 'task' || e.startsWith('.') ? /^\.([A-Za-z_]\w*)$/.exec(e) : /^([A-Za-z_][\w-]*)$/.exec(e);
  return (m && resolveVar(m[1] as string, ctx)) ?? UNKNOWN;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}`; anything fancier is unknown. */
function braceExpression(body: string, ctx: Ctx): string {
  const m = /^([A-Za-z_]\w*)(?:(:?[-=])(.*))?$/s.exec(body);
  if (!m) return UNKNOWN;
  const value = resolveVar(m[1] as string, ctx);
  const op = m[2];
  if (op === undefined) return value ?? UNKNOWN;
  const emptyCounts = op.startsWith(':');
  if (value === undefined || (emptyCounts && value === ''))
    return expandWith(m[3] ?? '', { ...ctx, guard: new Set(ctx.guard) });
  return value;
}

function closingIndex(raw: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < raw.length; j++) {
    if (raw[j] === open) depth++;
    else if (raw[j] === close && --depth === 0) return j;
  }
  return raw.length - 1;
}

function expandWith(raw: string, ctx: Ctx): string {
  let out = '';
  let inDouble = false;
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] as string;
    const next = raw[i + 1];
    if (c === "'" && !inDouble && ctx.dialect !== 'make') {
      const end = raw.indexOf("'", i + 1);
      out += raw.slice(i + 1, end < 0 ? raw.length : end);
      i = end < 0 ? raw.length : end + 1;
      continue;
    }
    if (c === '"' && ctx.dialect !== 'make') {
      inDouble = !inDouble;
      i++;
      continue;
    }
    if (c === '\\' && next !== undefined && ctx.dialect !== 'make') {
      out += next;
      i += 2;
      continue;
    }
    if (c === '$' && next === '{' && raw[i + 2] === '{') {
      const end = raw.indexOf('}}', i);
      out += githubExpression(raw.slice(i + 3, end < 0 ? raw.length : end), ctx);
      i = end < 0 ? raw.length : end + 2;
      continue;
    }
    if (c === '{' && next === '{' && (ctx.dialect === 'just' || ctx.dialect === 'task' || ctx.dialect === 'workflow')) {
      const end = raw.indexOf('}}', i);
      out += templateExpression(raw.slice(i + 2, end < 0 ? raw.length : end), ctx);
      i = end < 0 ? raw.length : end + 2;
      continue;
    }
    if (c === '$') {
      // In a Makefile `$$X` is the shell's `$X`; `$(X)` and `${X}` are make variables.
      if (ctx.dialect === 'make' && next === '$') {
        const rest = expandShellDollar(raw, i + 1, { ...ctx, dialect: 'shell' });
        out += rest.text;
        i = rest.end;
        continue;
      }
      if (ctx.dialect === 'make' && (next === '(' || next === '{')) {
        const end = closingIndex(raw, i + 1, next, next === '(' ? ')' : '}');
        const name = raw.slice(i + 2, end).trim();
        out += /^[A-Za-z_][\w.-]*$/.test(name) ? (resolveVar(name, ctx) ?? UNKNOWN) : UNKNOWN;
        i = end + 1;
        continue;
      }
      const r = expandShellDollar(raw, i, ctx);
      out += r.text;
      i = r.end;
      continue;
    }
    if (c === '`') {
      const end = raw.indexOf('`', i + 1);
      out += UNKNOWN;
      i = end < 0 ? raw.length : end + 1;
      continue;
    }
    out += c === '\u0001' ? ' ' : c;
    i++;
  }
  return out;
}

function expandShellDollar(raw: string, i: number, ctx: Ctx): { text: string; end: number } {
  const next = raw[i + 1];
  if (next === '(') return { text: UNKNOWN, end: closingIndex(raw, i + 1, '(', ')') + 1 };
  if (next === '{') {
    const end = closingIndex(raw, i + 1, '{', '}');
    return { text: braceExpression(raw.slice(i + 2, end), ctx), end: end + 1 };
  }
  const m = /^[A-Za-z_]\w*/.exec(raw.slice(i + 1));
  if (m) return { text: resolveVar(m[0], ctx) ?? UNKNOWN, end: i + 1 + m[0].length };
  if (next !== undefined && /[0-9@*#?$!-]/.test(next)) return { text: UNKNOWN, end: i + 2 };
  return { text: '$', end: i + 1 };
}

/** Expands one word as written at `offset`; unknown parts become `*` (runs of them collapse). */
export function expandWord(raw: string, vars: VarTable, dialect: WordDialect, offset: number): string {
  return expandWith(raw, { vars, dialect, offset, guard: new Set() }).replace(/\*{2,}/g, UNKNOWN);
}

/**
 * True when an image reference says something beyond its variables: its repository part has a literal
 * letter or digit. `$IMAGE` and `$REGISTRY/$NAME:$TAG` say nothing and are skipped; `kilo/$SVC:latest` is kept.
 */
export function isMeaningfulImage(ref: string): boolean {
  if (ref === '' || /\s/.test(ref) || ref.startsWith('-')) return false;
  let repo = ref;
  const at = repo.indexOf('@');
  if (at >= 0) repo = repo.slice(0, at);
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) repo = repo.slice(0, colon);
  return /[A-Za-z0-9]/.test(repo.replace(/\*/g, ''));
}
