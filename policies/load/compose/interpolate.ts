/**
 * docker-compose variable interpolation, judged without the user's environment.
 *
 * `${VAR:-default}` and `${VAR-default}` take their default (what compose does when VAR is unset); any
 * variable that has no default (`${VAR}`, `$VAR`, `${VAR:?err}`, `${VAR:+alt}`) makes the whole value
 * unknown: a guessed value could produce a false positive, an unknown one never does. `$$` is a literal `$`.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Returns the interpolated string, or undefined when it depends on a variable with no default. */
export function interpolate(input: string, env: Readonly<Record<string, string>> = {}): string | undefined {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = matchingBrace(input, i + 1);
      if (end < 0) return undefined; // unterminated: compose rejects it too
      const r = braced(input.slice(i + 2, end), env);
      if (r === undefined) return undefined;
      out += r;
      i = end + 1;
      continue;
    }
    const m = NAME.exec(input.slice(i + 1));
    if (m) {
      const v = env[m[0]];
      if (v === undefined) return undefined;
      out += v;
      i += 1 + m[0].length;
      continue;
    }
    out += '$'; // a lone `$` before a non-name character is kept as written
    i++;
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function braced(body: string, env: Readonly<Record<string, string>>): string | undefined {
  const m = NAME.exec(body);
  if (!m) return undefined;
  const name = m[0];
  const rest = body.slice(name.length);
  const value = env[name];
  if (rest === '') return value;
  const op = rest.startsWith(':') ? rest.slice(0, 2) : rest.slice(0, 1);
  const arg = rest.slice(op.length);
  switch (op) {
    case ':-':
      return value !== undefined && value !== '' ? value : interpolate(arg, env);
    case '-':
      return value !== undefined ? value : interpolate(arg, env);
    case ':+':
      return value !== undefined && value !== '' ? interpolate(arg, env) : value === undefined ? undefined : '';
    case '+':
      return value !== undefined ? interpolate(arg, env) : undefined;
    case ':?':
    case '?':
      return value !== undefined && (op === '?' || value !== '') ? value : undefined;
    default:
      return undefined;
  }
}

/** Splits a compose `command:`/`entrypoint:` string the way compose does (shell-like words and quotes). */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length && '"\\$`'.includes(s[i + 1] as string)) cur += s[++i];
      else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
