/**
 * A Dockerfile reader for the facts persistguard needs from an image it can see being built: the final
 * stage's VOLUME directories, COPY/ADD destinations, ENV defaults and WORKDIR, with line/column positions.
 * Follows the Dockerfile reference: `# escape=` parser directive, line continuations, comments, heredocs
 * (`<<EOF`, skipped as bodies), JSON (exec) and shell forms, `ARG`/`ENV` substitution (`$V`, `${V}`,
 * `${V:-word}`, `${V:+word}`), multi-stage `FROM … AS name`. Bounded (instruction and line limits), never
 * throws: a line it cannot read is skipped and noted.
 */
import type { Anchor, DockerfileModel, DockerfileStage, LoadError } from '../../model/model.js';
import { normalizePosixPath } from '../../model/posix-path.js';

const MAX_INSTRUCTIONS = 5000;
const MAX_LOGICAL_LINE = 64 * 1024;

interface Logical {
  keyword: string;
  /** Arguments text with continuations joined (newline-escaped parts kept as spaces). */
  args: string;
  line: number;
  /** 1-based column where the arguments start on the first line. */
  column: number;
}

/** Splits into instructions: comments dropped, continuations joined, heredoc bodies skipped. */
function logicalLines(text: string, errors: LoadError[], file: string): Logical[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives come first, before any comment, blank line or instruction.
  for (const l of lines) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!m) break;
    if ((m[1] as string).toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2] as string;
  }
  const out: Logical[] = [];
  let i = 0;
  while (i < lines.length && out.length < MAX_INSTRUCTIONS) {
    const raw = lines[i] as string;
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const kw = /^([A-Za-z]+)(\s+|$)/.exec(trimmed);
    if (!kw) {
      i++; // not an instruction (a stray heredoc line, a template): nothing to learn from it
      continue;
    }
    const lead = raw.length - trimmed.length;
    let args = trimmed.slice(kw[0].length);
    const column = lead + kw[0].length + 1;
    // Continuation lines; comment lines inside a continued instruction are dropped (as BuildKit does).
    while (args.endsWith(escape) && i + 1 < lines.length && args.length < MAX_LOGICAL_LINE) {
      args = args.slice(0, -1);
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i] as string) && i + 1 < lines.length) i++;
      args += ` ${(lines[i] as string).trim()}`;
    }
    i++;
    // Heredocs: `RUN <<EOF` / `COPY <<EOF /dest`: skip the bodies up to each terminator.
    for (const h of args.matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)) {
      const end = h[1] as string;
      while (i < lines.length && (lines[i] as string).trim() !== end) i++;
      i++;
    }
    out.push({ keyword: (kw[1] as string).toUpperCase(), args: args.trim(), line: start + 1, column });
  }
  if (out.length >= MAX_INSTRUCTIONS)
    errors.push({ file, message: `more than ${MAX_INSTRUCTIONS} instructions: the rest is not read` });
  return out;
}

/** `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`; unknown variables become empty (as docker does). */
export function substitute(s: string, vars: ReadonlyMap<string, string>): string {
  return s.replace(
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      if (whole === '\\$') return '$';
      const name = (braced ?? bare) as string;
      const v = vars.get(name);
      if (op === '-') return v !== undefined && v !== '' ? v : (word ?? '');
      if (op === '+') return v !== undefined && v !== '' ? (word ?? '') : '';
      return v ?? '';
    },
  );
}

/** Words of a shell-form argument list, quotes removed (no expansion beyond substitution). */
function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur !== '') out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur !== '') out.push(cur);
  return out;
}

/** JSON (exec) form when the arguments are a JSON array of strings, else the shell words. */
function argList(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(args);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      // not JSON: shell form
    }
  }
  return shellWords(args);
}

/** `ENV a=1 b="two words"` or the legacy `ENV a 1`. */
function envPairs(args: string): { name: string; value: string }[] {
  const words = shellWords(args);
  if (words.length > 0 && !(words[0] as string).includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    return m ? [{ name: m[1] as string, value: shellWords(m[2] as string).join(' ') }] : [];
  }
  return words.flatMap((w) => {
    const eq = w.indexOf('=');
    return eq > 0 ? [{ name: w.slice(0, eq), value: w.slice(eq + 1) }] : [];
  });
}

function resolveIn(workdir: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${workdir.replace(/\/+$/, '')}/${p}`;
  return normalizePosixPath(abs);
}

/** Parses a Dockerfile. Never throws. */
export function parseDockerfile(file: string, text: string): DockerfileModel {
  const model: DockerfileModel = { file, stages: [], errors: [] };
  try {
    parseInto(model, text);
  } catch (err) {
    model.errors.push({ file, message: `could not read as a Dockerfile: ${(err as Error).message}` });
  }
  return model;
}

function parseInto(model: DockerfileModel, text: string): void {
  const file = model.file;
  const globalArgs = new Map<string, string>();
  let stage: DockerfileStage | undefined;
  let vars = new Map<string, string>();
  const pos = (l: Logical): Anchor => ({ kind: 'pos', file, line: l.line, column: l.column });
  for (const l of logicalLines(text, model.errors, file)) {
    switch (l.keyword) {
      case 'ARG': {
        for (const w of shellWords(l.args)) {
          const eq = w.indexOf('=');
          const name = eq < 0 ? w : w.slice(0, eq);
          const scope = stage ? vars : globalArgs;
          // A stage's bare `ARG NAME` re-imports the global default.
          const value = eq < 0 ? (stage ? globalArgs.get(name) : undefined) : substitute(w.slice(eq + 1), scope);
          if (value !== undefined) scope.set(name, value);
        }
        break;
      }
      case 'FROM': {
        const words = shellWords(l.args).filter((w) => !w.startsWith('--'));
        const base = substitute(words[0] ?? '', globalArgs);
        const asIdx = words.findIndex((w) => w.toLowerCase() === 'as');
        const name = asIdx > 0 ? words[asIdx + 1] : undefined;
        const parent = model.stages.find((s) => s.name !== undefined && s.name === base.toLowerCase());
        stage = {
          base,
          ...(name ? { name: name.toLowerCase() } : {}),
          // A stage built FROM an earlier stage inherits its environment, workdir and volumes.
          workdir: parent?.workdir ?? '/',
          env: [...(parent?.env ?? [])],
          volumes: [...(parent?.volumes ?? [])],
          copies: [...(parent?.copies ?? [])],
          at: pos(l),
        };
        vars = new Map();
        for (const e of stage.env) vars.set(e.name, e.value);
        model.stages.push(stage);
        break;
      }
      default: {
        if (!stage) break; // instructions before the first FROM (only ARG is valid there)
        applyInstruction(stage, vars, l, pos(l));
      }
    }
  }
}

function applyInstruction(stage: DockerfileStage, vars: Map<string, string>, l: Logical, at: Anchor): void {
  switch (l.keyword) {
    case 'ENV':
      for (const { name, value } of envPairs(l.args)) {
        const v = substitute(value, vars);
        vars.set(name, v);
        stage.env = [...stage.env.filter((e) => e.name !== name), { name, value: v, at }];
      }
      break;
    case 'WORKDIR': {
      const dir = substitute(argList(l.args).join(' '), vars);
      if (dir !== '') stage.workdir = resolveIn(stage.workdir, dir);
      break;
    }
    case 'VOLUME':
      for (const v of argList(l.args)) {
        const p = substitute(v, vars).trim();
        if (p !== '') stage.volumes.push({ value: resolveIn(stage.workdir, p), at });
      }
      break;
    case 'COPY':
    case 'ADD': {
      const words = argList(l.args);
      let from: string | undefined;
      const rest: string[] = [];
      for (const w of words) {
        if (w.startsWith('--')) {
          const m = /^--from=(.+)$/.exec(w);
          if (m) from = substitute(m[1] as string, vars).toLowerCase();
          continue;
        }
        rest.push(w);
      }
      if (rest.length < 2 || rest.some((w) => w.startsWith('<<'))) break;
      const dest = substitute(rest[rest.length - 1] as string, vars);
      stage.copies.push({
        dest: resolveIn(stage.workdir, dest),
        sources: rest.slice(0, -1).map((s) => substitute(s, vars)),
        ...(from !== undefined ? { from } : {}),
        instruction: l.keyword,
        text: `${l.keyword} ${l.args.replace(/\s+/g, ' ')}`.slice(0, 200),
        at,
      });
      break;
    }
  }
}

/** The stage the image runs: the last one (`--target` is not known from the files). */
export function finalStage(m: DockerfileModel): DockerfileStage | undefined {
  return m.stages[m.stages.length - 1];
}
