/**
 * Suppressions: `persistguard.io/ignore` + a required `persistguard.io/ignore-reason` on a workload (compose:
 * the `io.persistguard.*` labels), `# persistguard:ignore RULE REASON` comments in YAML (on the finding's
 * line, the line above it, or above the resource's first line), and config `exemptions` with globs and an
 * optional expiry date. A suppressed finding is kept (marked) so JSON/SARIF still show it; anything not
 * honoured leaves a note.
 */
import { matchesGlob } from '../facts/glob.js';
import type { ConfigExemption, ResolvedConfig } from '../config/types.js';
import type { Suppression } from '../model/findings.js';
import { IGNORE_COMMENT, type Anchor, type DocRef, type Located } from '../model/model.js';
import { createLocator } from '../locate/locate.js';

export const IGNORE_KEYS = ['persistguard.io/ignore', 'io.persistguard.ignore'] as const;
export const IGNORE_REASON_KEYS = ['persistguard.io/ignore-reason', 'io.persistguard.ignore-reason'] as const;

/** What an exemption is matched against: the finding's rule, resource, file, container and path. */
export interface ExemptionSubject {
  ruleId: string;
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  container?: string;
  path?: string;
  /** The workload's annotations (compose labels), when the finding belongs to a workload. */
  annotations?: Record<string, Located<string>>;
  /** Where the finding is: a YAML document's `# persistguard:ignore` comments can suppress it. */
  at?: Anchor;
}

export { IGNORE_COMMENT };

/** One `# persistguard:ignore RULES REASON` comment. */
export interface IgnoreComment {
  /** 1-based line in the file. */
  line: number;
  rules: string[];
  reason: string;
  /** Alone on its line (applies to the next line; above the first line, to the whole resource). */
  own: boolean;
}

/** The comment's directive, if the line has one: `# persistguard:ignore rule-a,rule-b reason words`. */
const DIRECTIVE = /#\s*persistguard:ignore(?:\s+([^\s]+))?(?:\s+(.*))?$/;

export function parseIgnoreComments(text: string, lineOffset = 1): IgnoreComment[] {
  const out: IgnoreComment[] = [];
  if (!text.includes(IGNORE_COMMENT)) return out;
  text.split('\n').forEach((raw, i) => {
    if (!raw.includes(IGNORE_COMMENT)) return;
    // A `#` inside a quoted value is not a comment; a comment starts the line or follows whitespace.
    const at = raw.search(/(^|\s)#\s*persistguard:ignore/);
    if (at < 0 || insideQuotes(raw, at)) return;
    const m = DIRECTIVE.exec(raw.slice(at).trimStart());
    if (!m) return;
    out.push({
      line: lineOffset + i,
      rules: m[1] ? parseIgnoreList(m[1]) : [],
      reason: (m[2] ?? '').trim(),
      own: raw.slice(0, at).trim() === '',
    });
  });
  return out;
}

/** Whether position `at` of a YAML line is inside a quoted scalar (`'it''s'` and `"a \\" b"` included). */
function insideQuotes(line: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = line[i];
    if (quote === undefined) {
      if (c === '"' || c === "'") quote = c;
    } else if (quote === '"' && c === '\\') i++;
    else if (c === quote) quote = undefined;
  }
  return quote !== undefined;
}

/** The first line of a document that is not blank and not a comment: the resource's own first line. */
function firstContentLine(text: string, lineOffset: number): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] as string).trim();
    if (l !== '' && !l.startsWith('#') && l !== '---') return lineOffset + i;
  }
  return lineOffset + lines.length;
}

interface DocComments {
  comments: IgnoreComment[];
  firstLine: number;
}

function firstOf(annotations: Record<string, Located<string>>, keys: readonly string[]): Located<string> | undefined {
  for (const k of keys) if (annotations[k]) return annotations[k];
  return undefined;
}

/** Rule ids listed in an ignore annotation (`*` means every rule). */
export function parseIgnoreList(value: string): string[] {
  return value
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The last instant an `expires: YYYY-MM-DD` exemption applies (end of that day, UTC); undefined if invalid. */
export function expiryInstant(expires: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) return undefined;
  const d = new Date(`${expires}T23:59:59.999Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function glob(pattern: string, value: string | undefined): boolean {
  return value !== undefined && matchesGlob(pattern, value);
}

function describeExemption(e: ConfigExemption, index: number): string {
  const where = (['kind', 'namespace', 'name', 'file', 'container', 'path'] as const)
    .filter((k) => e[k] !== undefined)
    .map((k) => `${k}=${e[k] as string}`)
    .join(' ');
  return `exemption #${index + 1} (${e.rules.join(',')}${where ? ` ${where}` : ''})`;
}

export class ExemptionChecker {
  private readonly notes = new Map<string, { file: string; message: string }>();
  private readonly config: ResolvedConfig;
  private readonly now: Date;
  private readonly docComments = new Map<DocRef, DocComments>();
  private locate: ((at: Anchor) => { line: number }) | undefined;

  constructor(config: ResolvedConfig, now: Date) {
    this.config = config;
    this.now = now;
  }

  /** Problems found so far (each once): exemptions without a reason, expired ones, forbidden annotations. */
  collectNotes(): { file: string; message: string }[] {
    return [...this.notes.values()];
  }

  private note(file: string, message: string): void {
    const k = `${file}\u0000${message}`;
    if (!this.notes.has(k)) this.notes.set(k, { file, message });
  }

  /** Cheap pre-check: false when neither the annotations, the document's comments nor the config can exempt. */
  mayApply(annotations: Record<string, Located<string>> | undefined, at?: Anchor): boolean {
    if (this.config.exemptions.length > 0) return true;
    if (at?.kind === 'node' && at.doc.text?.includes(IGNORE_COMMENT)) return true;
    return annotations !== undefined && IGNORE_KEYS.some((k) => annotations[k] !== undefined);
  }

  check(s: ExemptionSubject): Suppression | undefined {
    return this.fromAnnotations(s) ?? this.fromComments(s) ?? this.fromConfig(s);
  }

  private commentsOf(doc: DocRef): DocComments {
    let c = this.docComments.get(doc);
    if (!c) {
      const text = doc.text ?? '';
      const offset = doc.lineOffset ?? 1;
      c = { comments: parseIgnoreComments(text, offset), firstLine: firstContentLine(text, offset) };
      this.docComments.set(doc, c);
      for (const d of c.comments) {
        if (d.rules.length === 0)
          this.note(
            doc.file,
            `line ${d.line}: # ${IGNORE_COMMENT} names no rule: write # ${IGNORE_COMMENT} RULE REASON`,
          );
        else if (d.reason === '')
          this.note(
            doc.file,
            `line ${d.line}: # ${IGNORE_COMMENT} ${d.rules.join(',')} is not honoured without a reason: write # ${IGNORE_COMMENT} ${d.rules.join(',')} REASON`,
          );
      }
    }
    return c;
  }

  /** `# persistguard:ignore RULE REASON` on the finding's line, alone on the line above, or above the resource. */
  private fromComments(s: ExemptionSubject): Suppression | undefined {
    if (s.at?.kind !== 'node' || !s.at.doc.text?.includes(IGNORE_COMMENT)) return undefined;
    const { comments, firstLine } = this.commentsOf(s.at.doc);
    const applies = comments.filter((c) => c.reason !== '' && (c.rules.includes('*') || c.rules.includes(s.ruleId)));
    if (applies.length === 0) return undefined;
    this.locate ??= createLocator();
    const line = this.locate(s.at).line;
    const hit = applies.find((c) => c.line === line || (c.own && c.line === line - 1) || (c.own && c.line < firstLine));
    if (!hit) return undefined;
    if (!this.config.allowAnnotationExemptions) {
      this.note(
        s.file,
        `line ${hit.line}: # ${IGNORE_COMMENT} is not honoured because the config sets allowAnnotationExemptions: false${this.config.source ? ` (${this.config.source})` : ''}`,
      );
      return undefined;
    }
    return { kind: 'comment', reason: hit.reason };
  }

  private fromAnnotations(s: ExemptionSubject): Suppression | undefined {
    if (!s.annotations) return undefined;
    const ignore = firstOf(s.annotations, IGNORE_KEYS);
    if (!ignore) return undefined;
    const rules = parseIgnoreList(ignore.value);
    if (!rules.includes('*') && !rules.includes(s.ruleId)) return undefined;
    const who = `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
    if (!this.config.allowAnnotationExemptions) {
      this.note(
        s.file,
        `${who}: persistguard.io/ignore is not honoured because the config sets allowAnnotationExemptions: false${this.config.source ? ` (${this.config.source})` : ''}`,
      );
      return undefined;
    }
    const reason = firstOf(s.annotations, IGNORE_REASON_KEYS)?.value.trim() ?? '';
    if (reason === '') {
      this.note(
        s.file,
        `${who}: persistguard.io/ignore is not honoured without a non-empty persistguard.io/ignore-reason`,
      );
      return undefined;
    }
    return { kind: 'annotation', reason };
  }

  private fromConfig(s: ExemptionSubject): Suppression | undefined {
    const list = this.config.exemptions;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as ConfigExemption;
      if (!e.rules.includes('*') && !e.rules.includes(s.ruleId)) continue;
      if (e.kind !== undefined && !glob(e.kind, s.kind)) continue;
      if (e.namespace !== undefined && !glob(e.namespace, s.namespace ?? 'default')) continue;
      if (e.name !== undefined && !glob(e.name, s.name)) continue;
      if (e.file !== undefined && !glob(e.file, s.file)) continue;
      if (e.container !== undefined && !glob(e.container, s.container)) continue;
      if (e.path !== undefined && !glob(e.path, s.path)) continue;
      const src = this.config.source ?? 'config';
      if (!e.reason || e.reason.trim() === '') {
        this.note(src, `${describeExemption(e, i)} is not honoured: it has no reason`);
        continue;
      }
      if (e.expires !== undefined) {
        const until = expiryInstant(e.expires);
        if (!until) {
          this.note(src, `${describeExemption(e, i)} is not honoured: expires "${e.expires}" is not a YYYY-MM-DD date`);
          continue;
        }
        if (this.now.getTime() > until.getTime()) {
          this.note(
            src,
            `${describeExemption(e, i)} expired on ${e.expires} and is no longer honoured (reason was: ${e.reason})`,
          );
          continue;
        }
        return { kind: 'config', reason: e.reason, expires: e.expires };
      }
      return { kind: 'config', reason: e.reason };
    }
    return undefined;
  }
}
