import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../schema/persistguard.schema.json' with { type: 'json' };
import { closest } from './suggest.js';
import { unsafeGlobs } from './glob-safety.js';
import type { PathSegment } from '../model/model.js';

/** One schema violation, with the path of the offending node (or of the mapping holding a bad key). */
export interface ConfigIssue {
  /** Path segments into the config object, e.g. `['rules', 'data-path-pvc']`. */
  path: PathSegment[];
  /** Dotted path as shown to users: `rules.data-path-pvc`, `exemptions[0].reason`. */
  display: string;
  /** What is wrong, without the path: `must be one of off, error, warning`. */
  message: string;
  /** Set when the mistake is a key (unknown key): point at the key, not its value. */
  key?: string;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // allErrors: a user fixing a config wants every mistake at once, not one per run.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(schema);
  return compiled;
}

export function displayPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(top level)' : out;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** Valid keys of the schema node an ajv error came from, for "did you mean" hints. */
function siblingKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(err: ErrorObject): { message: string; key?: string } {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'enum':
      return { message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type': {
      const t = String(params.type);
      return { message: `must be ${t.split(',').map(article).join(' or ')}` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const valid = siblingKeys(err);
      const hint = closest(key, valid);
      const tail = hint ? `; did you mean '${hint}'?` : valid.length > 0 ? `; valid keys: ${valid.join(', ')}` : '';
      return { message: `unknown key '${key}'${tail}`, key };
    }
    case 'required':
      return { message: `missing required key '${String(params.missingProperty)}'` };
    case 'pattern':
      if (String(params.pattern).startsWith('^[0-9]{4}')) return { message: 'must be a date written YYYY-MM-DD' };
      if (params.pattern === '^/') return { message: 'must be an absolute path (starting with /)' };
      return { message: `must match ${String(params.pattern)}` };
    case 'minItems':
      return { message: `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'minLength':
      return { message: 'must not be empty' };
    default:
      return { message: err.message ?? `fails ${err.keyword}` };
  }
}

/** ISO dates the pattern lets through but the calendar does not (2025-02-30). */
function badDates(obj: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const exemptions = (obj as { exemptions?: unknown } | null)?.exemptions;
  if (!Array.isArray(exemptions)) return out;
  exemptions.forEach((e, i) => {
    const expires = (e as { expires?: unknown } | null)?.expires;
    if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires)) return;
    const d = new Date(`${expires}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== expires) {
      const path: PathSegment[] = ['exemptions', i, 'expires'];
      out.push({ path, display: displayPath(path), message: `'${expires}' is not a calendar date` });
    }
  });
  return out;
}

/**
 * Validates a config-shaped object (a parsed `.persistguard.yaml`, or the built-in image catalog) against
 * the shipped schema. Returns every violation; empty means valid.
 */
export function validateConfigObject(obj: unknown): ConfigIssue[] {
  const validate = validator();
  const issues: ConfigIssue[] = [];
  if (!validate(obj)) {
    for (const err of validate.errors ?? []) {
      // `if` only says "the then/else branch failed"; that branch's own error is reported instead.
      if (err.keyword === 'if') continue;
      const path = pointerToPath(err.instancePath);
      const { message, key } = describe(err);
      const full = key !== undefined ? [...path, key] : path;
      issues.push({ path: full, display: displayPath(full), message, ...(key !== undefined ? { key } : {}) });
    }
  }
  issues.push(...badDates(obj));
  for (const g of unsafeGlobs(obj)) issues.push({ path: g.path, display: displayPath(g.path), message: g.message });
  return issues;
}
