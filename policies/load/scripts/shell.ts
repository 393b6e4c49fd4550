/**
 * A small, forgiving POSIX-shell reader for build scripts: splits text into pipelines of simple commands
 * whose words keep their source offsets. It does not execute or expand anything; quoting, `$(…)`,
 * `${…}`, backticks, comments, line continuations, heredocs and array assignments are understood well
 * enough that a `docker build -t IMAGE` inside any of them is found at the right line and column.
 */

export interface Word {
  /** The word as written (quotes and `$` expressions kept); see `expandWord`. */
  raw: string;
  /** Offset of the word's first character in the scanned text. */
  start: number;
}

export interface Redirect {
  op: string;
  target: Word;
}

export interface ArrayAssignment {
  name: string;
  elements: Word[];
  start: number;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  /** `name=( … )` array assignments made by this command (`local args=("build" "-t" "x")`). */
  arrays: ArrayAssignment[];
}

export interface Pipeline {
  commands: SimpleCommand[];
}

export interface ShellParse {
  pipelines: Pipeline[];
  /** `$(…)` and backtick bodies, as offsets into the text, to be read as shell of their own. */
  substitutions: { start: number; end: number }[];
}

const SEPARATORS = new Set([';', '&&', '||', '&', ';;', '\n', '(', ')']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** Index just after the `close` that balances the `open` at `i` (quotes respected). */
function skipBalanced(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === "'" && open === '(') {
      const end = text.indexOf("'", j + 1);
      j = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '"') {
      j = skipDoubleQuoted(text, j);
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return text.length;
}

/** Index just after the closing `"` of the double-quoted string starting at `i`. */
function skipDoubleQuoted(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if (c === '$' && text[j + 1] === '(') j = skipBalanced(text, j + 1, '(', ')');
    else if (c === '$' && text[j + 1] === '{') j = skipBalanced(text, j + 1, '{', '}');
    else if (c === '`') {
      const end = text.indexOf('`', j + 1);
      j = end < 0 ? text.length : end + 1;
    } else j++;
  }
  return text.length;
}

export function parseShell(text: string): ShellParse {
  const pipelines: Pipeline[] = [];
  const substitutions: { start: number; end: number }[] = [];
  let commands: SimpleCommand[] = [];
  let cmd: SimpleCommand = { words: [], redirects: [], arrays: [] };
  // The word being read: a run of source text [runStart, runEnd) plus `done` (text before a line continuation).
  let word: { start: number; runStart: number; runEnd: number; done: string } | undefined;
  let pendingRedirect: string | undefined;
  let array: ArrayAssignment | undefined;
  const heredocs: string[] = [];
  let i = 0;

  const endWord = (): void => {
    if (!word) return;
    const w: Word = { raw: word.done + text.slice(word.runStart, word.runEnd), start: word.start };
    word = undefined;
    if (pendingRedirect !== undefined) {
      if (pendingRedirect.startsWith('<<') && pendingRedirect !== '<<<') {
        heredocs.push(w.raw.replace(/['"\\]/g, ''));
      } else cmd.redirects.push({ op: pendingRedirect, target: w });
      pendingRedirect = undefined;
      return;
    }
    if (array) array.elements.push(w);
    else cmd.words.push(w);
  };
  const endCommand = (): void => {
    endWord();
    if (cmd.words.length > 0 || cmd.redirects.length > 0 || cmd.arrays.length > 0) commands.push(cmd);
    cmd = { words: [], redirects: [], arrays: [] };
  };
  const endPipeline = (): void => {
    endCommand();
    if (commands.length > 0) pipelines.push({ commands });
    commands = [];
  };
  const extend = (from: number, to: number): void => {
    if (!word) word = { start: from, runStart: from, runEnd: to, done: '' };
    else if (word.runEnd === from) word.runEnd = to;
    else {
      word.done += text.slice(word.runStart, word.runEnd);
      word.runStart = from;
      word.runEnd = to;
    }
  };
  const current = (): string => (word ? word.done + text.slice(word.runStart, word.runEnd) : '');

  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\\' && next === '\n') {
      i += 2;
      continue;
    }
    if (c === '\\' && next === '\r' && text[i + 2] === '\n') {
      i += 3;
      continue;
    }
    if (isSpace(c)) {
      endWord();
      i++;
      continue;
    }
    if (c === '\n') {
      if (array) {
        endWord();
        i++;
        continue;
      }
      endPipeline();
      i++;
      // Heredoc bodies are data, not commands: skip to the delimiter line.
      while (heredocs.length > 0) {
        const delim = heredocs.shift() as string;
        for (;;) {
          const eol = text.indexOf('\n', i);
          const line = text.slice(i, eol < 0 ? text.length : eol);
          i = eol < 0 ? text.length : eol + 1;
          if (line.trim() === delim || eol < 0) break;
        }
      }
      continue;
    }
    if (c === '#' && !word) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end + 1;
      extend(i, stop);
      i = stop;
      continue;
    }
    if (c === '"') {
      const stop = skipDoubleQuoted(text, i);
      // Substitutions inside double quotes are commands too.
      for (let j = i; j < stop; j++) {
        if (text[j] === '$' && text[j + 1] === '(' && text[j + 2] !== '(') {
          const end = skipBalanced(text, j + 1, '(', ')');
          substitutions.push({ start: j + 2, end: end - 1 });
          j = end - 1;
        }
      }
      extend(i, stop);
      i = stop;
      continue;
    }
    if (c === '\\') {
      extend(i, Math.min(i + 2, text.length));
      i += 2;
      continue;
    }
    if (c === '$' && next === '(') {
      const stop = skipBalanced(text, i + 1, '(', ')');
      if (text[i + 2] !== '(') substitutions.push({ start: i + 2, end: stop - 1 });
      extend(i, stop);
      i = stop;
      continue;
    }
    if (c === '$' && next === '{') {
      const stop = skipBalanced(text, i + 1, '{', '}');
      extend(i, stop);
      i = stop;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      const stop = end < 0 ? text.length : end + 1;
      substitutions.push({ start: i + 1, end: stop - 1 });
      extend(i, stop);
      i = stop;
      continue;
    }
    if (c === '(' && word && !array && text[i - 1] === '=' && /^[A-Za-z_]\w*\+?=$/.test(current())) {
      const name = current().replace(/\+?=$/, '');
      array = { name, elements: [], start: word.start };
      word = undefined;
      i++;
      continue;
    }
    if (c === ')' && array) {
      endWord();
      cmd.arrays.push(array);
      array = undefined;
      i++;
      continue;
    }
    if (c === '>' || c === '<' || (c === '&' && next === '>')) {
      // `2>`, `&>`: the fd digits belong to the operator, not to a word.
      if (word && /^\d+$/.test(current())) word = undefined;
      else endWord();
      let op = c;
      let j = i + 1;
      while (j < text.length && /[<>&|-]/.test(text[j] as string) && op.length < 3) {
        op += text[j];
        j++;
      }
      i = j;
      // `>&2`: the target is a file descriptor, not a file.
      if (op.endsWith('&') && /\d/.test(text[i] ?? '')) {
        i++;
        continue;
      }
      pendingRedirect = op.startsWith('&') ? '>' : op.replace(/-$/, '') === '<<' ? '<<' : op.replace(/&$/, '');
      continue;
    }
    if (c === '|' || c === ';' || c === '&' || c === '(' || c === ')') {
      let op = c;
      if ((c === '|' && next === '|') || (c === '&' && next === '&') || (c === ';' && next === ';')) op += next;
      else if (c === '|' && next === '&') op = '|&';
      i += op.length;
      if (op === '|' || op === '|&') {
        endCommand();
        continue;
      }
      if (SEPARATORS.has(op)) endPipeline();
      continue;
    }
    extend(i, i + 1);
    i++;
  }
  endPipeline();
  return { pipelines, substitutions };
}

/** Characters a word starts with that are not part of its value (for pointing at the value itself). */
export function valueOffset(w: Word): number {
  const first = w.raw[0];
  return first === '"' || first === "'" ? w.start + 1 : w.start;
}
