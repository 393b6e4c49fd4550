/**
 * The two facts persistguard needs from a Dockerfile a compose service builds: the image the final stage
 * starts FROM (following stage names, `FROM base AS app` … `FROM app`), and the VOLUME directories the
 * stages declare. A derived image keeps its base's data layout, so `FROM postgres:16` is judged as postgres.
 */

export interface BuildBase {
  /** The final stage's base image, with ARG defaults substituted (may still hold a `${VAR}`). */
  from?: string;
  /** VOLUME directories of the final stage's chain. */
  volumes: string[];
}

const MAX_LINES = 5000;

function substitute(s: string, args: ReadonlyMap<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a?: string, b?: string) => {
    const v = args.get((a ?? b) as string);
    return v !== undefined && v !== '' ? v : m;
  });
}

function volumeArgs(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }
  return t.split(/\s+/).filter((x) => x !== '');
}

export function buildBase(text: string): BuildBase {
  // Join continuation lines, drop comments.
  const lines: string[] = [];
  let cur = '';
  let n = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (++n > MAX_LINES) break;
    const line = raw.trimEnd();
    if (line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(cur + line);
    cur = '';
  }
  if (cur !== '') lines.push(cur);
  const args = new Map<string, string>();
  const stages = new Map<string, { from: string; volumes: string[] }>();
  let current: { from: string; volumes: string[] } | undefined;
  for (const line of lines) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const rest = m[2] as string;
    if (op === 'ARG' && current === undefined) {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest.trim());
      if (a) args.set(a[1] as string, (a[2] ?? '').replace(/^["']|["']$/g, ''));
    } else if (op === 'FROM') {
      const words = rest
        .trim()
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'));
      const image = substitute(words[0] ?? '', args);
      const parent = stages.get(image.toLowerCase());
      current = parent ? { from: parent.from, volumes: [...parent.volumes] } : { from: image, volumes: [] };
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      if (as >= 0 && words[as + 1]) stages.set((words[as + 1] as string).toLowerCase(), current);
    } else if (op === 'VOLUME' && current) {
      for (const v of volumeArgs(rest)) if (v.startsWith('/')) current.volumes.push(v.replace(/\/+$/, '') || '/');
    }
  }
  return current ? { from: current.from, volumes: current.volumes } : { volumes: [] };
}
