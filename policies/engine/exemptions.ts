/**
 * Suppressions: `persistguard.io/ignore` + a required `persistguard.io/ignore-reason` on a workload (compose:
 * the `io.persistguard.*` labels), and config `exemptions` with globs and an optional expiry date. A
 * suppressed finding is kept (marked) so JSON/SARIF still show it; anything not honoured leaves a note.
 */
import { matchesGlob } from '../facts/glob.js';
import type { ConfigExemption, ResolvedConfig } from '../config/types.js';
import type { Suppression } from '../model/findings.js';
import type { Located } from '../model/model.js';

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

  /** Cheap pre-check: false when neither the annotations nor the config can exempt anything. */
  mayApply(annotations: Record<string, Located<string>> | undefined): boolean {
    if (this.config.exemptions.length > 0) return true;
    return annotations !== undefined && IGNORE_KEYS.some((k) => annotations[k] !== undefined);
  }

  check(s: ExemptionSubject): Suppression | undefined {
    return this.fromAnnotations(s) ?? this.fromConfig(s);
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
