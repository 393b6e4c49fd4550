/**
 * Turning findings into what the API server shows a user: one bounded denial message and a bounded list
 * of warnings. kubectl prints both verbatim, so they must stay readable, printable and small: the API
 * server may truncate a warning over 256 characters and drops warnings past 4096 characters in total.
 */
import type { PathSegment, PendingFinding } from '../policies/index.js';

export const MAX_MESSAGE_BYTES = 4096;
export const MAX_WARNING_CHARS = 256;
export const MAX_WARNINGS_TOTAL_CHARS = 4000;

/** Removes control characters (they break terminals and the API server rejects some) and collapses whitespace. */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function printable(s: string): string {
  // Most lines are clean: skip the rewrite (this runs for every finding of every request).
  if (!CONTROL.test(s) && !s.includes('  ')) return s.trim();
  return s.replace(CONTROL_RUNS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Cuts `s` to at most `max` characters, ending in `…` when cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** `spec.template.spec.containers[0].image` from a path; keys that are not identifiers are quoted. */
export function formatJsonPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function findingJsonPath(f: PendingFinding): string | undefined {
  return f.at.kind === 'node' && f.at.path.length > 0 ? formatJsonPath(f.at.path) : undefined;
}

/**
 * One finding as a single line: `[rule] message (container "c", path /x) at spec…. Fix: …`. The container and
 * path are added only when the message does not already name them.
 */
export function findingLine(f: PendingFinding, withRemediation: boolean): string {
  const message = f.message.trim().replace(/[.;:]+$/, '');
  const extra: string[] = [];
  if (f.container && !message.includes(`"${f.container}"`)) extra.push(`container "${f.container}"`);
  if (f.path && !message.includes(f.path)) extra.push(`path ${f.path}`);
  let line = `[${f.ruleId}] ${message}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
  const jsonPath = findingJsonPath(f);
  if (jsonPath) line += ` at ${jsonPath}`;
  line += '.';
  if (withRemediation && f.remediation) line += ` Fix: ${f.remediation.trim()}`;
  return printable(line);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * The denial message: a header, one bullet per finding (with remediation), and a footer; bullets that do not
 * fit the budget are replaced by "…and N more" so the message never exceeds {@link MAX_MESSAGE_BYTES}.
 */
export function denialMessage(header: string, findings: readonly PendingFinding[], footer: string): string {
  const head = printable(header);
  const foot = printable(footer);
  const budget = MAX_MESSAGE_BYTES - utf8Length(head) - utf8Length(foot) - 64;
  const bullets: string[] = [];
  let used = 0;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i] as PendingFinding;
    const line = `- ${truncate(findingLine(f, true), 900)}`;
    const size = utf8Length(line) + 1;
    if (used + size > budget) {
      bullets.push(`…and ${findings.length - i} more (run persistguard scan on the manifest for the full list)`);
      break;
    }
    bullets.push(line);
    used += size;
  }
  return [head, ...bullets, foot].filter((l) => l !== '').join('\n');
}

/**
 * Warnings for kubectl: each at most {@link MAX_WARNING_CHARS}, all together under
 * {@link MAX_WARNINGS_TOTAL_CHARS}; the last one says how many were left out.
 */
export function boundedWarnings(lines: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const w = truncate(printable(lines[i] as string), MAX_WARNING_CHARS);
    if (total + w.length > MAX_WARNINGS_TOTAL_CHARS - 80) {
      out.push(`persistguard: …and ${lines.length - i} more warnings (run persistguard scan for the full list)`);
      break;
    }
    out.push(w);
    total += w.length;
  }
  return out;
}
