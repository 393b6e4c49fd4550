/**
 * A cheap pre-check of how much work judging an admission object would take. The facts stage is linear, but at
 * Kubernetes' object size limit (about 1.5 MiB) one review with 85k argument words or 30k env vars still costs
 * 0.4–1.5 s of the single event loop, and every other review waits behind it (bench/webhook/hostile.mjs). No real
 * workload comes near these limits, so an object over them is answered at once instead of being judged: refused in
 * enforce mode (letting it through unjudged would be a bypass), allowed with a warning in audit mode.
 */
import { isObj } from '../policies/index.js';

export const WORK_LIMITS = {
  /** Shell words in `command` and `args`, all containers together. */
  words: 10_000,
  /** `env` entries, all containers together. */
  envEntries: 5_000,
  /** Characters of `env` values, all containers together. */
  envChars: 256 * 1024,
  /** Entries of the data-paths annotation. */
  annotationPaths: 2_000,
} as const;

type Obj = Record<string, unknown>;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Whitespace-separated words in `s`, counted without splitting (a 1 MiB string allocates nothing). */
function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const space = c === 32 || c === 9 || c === 10 || c === 13;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

function countSeparated(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 10) n++;
  }
  return n;
}

/** The pod specs an object carries: a Pod's own, a controller's template, a CronJob's job template. */
function podSpecs(obj: Obj): Obj[] {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (!spec) return [];
  const out: Obj[] = [];
  if (Array.isArray(spec.containers)) out.push(spec);
  const template = isObj(spec.template) ? spec.template : undefined;
  if (template && isObj(template.spec)) out.push(template.spec);
  const jobSpec = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
  const jobTemplate = jobSpec && isObj(jobSpec.template) ? jobSpec.template : undefined;
  if (jobTemplate && isObj(jobTemplate.spec)) out.push(jobTemplate.spec);
  return out;
}

function annotationsOf(obj: Obj): Obj[] {
  const out: Obj[] = [];
  if (isObj(obj.metadata) && isObj(obj.metadata.annotations)) out.push(obj.metadata.annotations);
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  const template = spec && isObj(spec.template) ? spec.template : undefined;
  if (template && isObj(template.metadata) && isObj(template.metadata.annotations))
    out.push(template.metadata.annotations);
  return out;
}

/** Why judging `obj` would exceed the webhook's work budget, or undefined when it fits. */
export function overWorkBudget(obj: Obj, annotationKey: string): string | undefined {
  let words = 0;
  let envEntries = 0;
  let envChars = 0;
  for (const spec of podSpecs(obj)) {
    for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
      for (const c of list(spec[field])) {
        if (!isObj(c)) continue;
        for (const argv of [c.command, c.args])
          for (const w of list(argv)) if (typeof w === 'string') words += countWords(w);
        for (const e of list(c.env)) {
          envEntries++;
          if (isObj(e) && typeof e.value === 'string') envChars += e.value.length;
        }
      }
    }
  }
  let paths = 0;
  for (const a of annotationsOf(obj)) {
    const v = a[annotationKey];
    if (typeof v === 'string') paths += countSeparated(v);
  }
  const over = (what: string, n: number, limit: number): string =>
    `${n.toLocaleString('en-US')} ${what} (the webhook judges at most ${limit.toLocaleString('en-US')})`;
  if (words > WORK_LIMITS.words) return over('command/args words', words, WORK_LIMITS.words);
  if (envEntries > WORK_LIMITS.envEntries) return over('env entries', envEntries, WORK_LIMITS.envEntries);
  if (envChars > WORK_LIMITS.envChars) return over('characters of env values', envChars, WORK_LIMITS.envChars);
  if (paths > WORK_LIMITS.annotationPaths)
    return over(`entries in ${annotationKey}`, paths, WORK_LIMITS.annotationPaths);
  return undefined;
}
