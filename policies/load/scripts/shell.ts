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
  return new ShellReader(text).read();
}

/** The word being read: a run of source text [runStart, runEnd) plus `done` (text before a line continuation). */
interface PartialWord {
  start: number;
  runStart: number;
  runEnd: number;
  done: string;
}

const emptyCommand = (): SimpleCommand => ({ words: [], redirects: [], arrays: [] });

/** One `parseShell` pass: the word, command and pipeline being built, one token per `step`. */
class ShellReader {
  private readonly pipelines: Pipeline[] = [];
  private readonly substitutions: { start: number; end: number }[] = [];
  private commands: SimpleCommand[] = [];
  private cmd: SimpleCommand = emptyCommand();
  private word: PartialWord | undefined;
  private pendingRedirect: string | undefined;
  private array: ArrayAssignment | undefined;
  /** Delimiters of heredocs opened on the current line; their bodies start after it. */
  private readonly heredocs: string[] = [];

  constructor(private readonly text: string) {}

  read(): ShellParse {
    let i = 0;
    while (i < this.text.length) i = this.step(i);
    this.endPipeline();
    return { pipelines: this.pipelines, substitutions: this.substitutions };
  }

  /** Reads the token at `i`; returns where the next one starts. */
  private step(i: number): number {
    const text = this.text;
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\\' && next === '\n') return i + 2;
    if (c === '\\' && next === '\r' && text[i + 2] === '\n') return i + 3;
    if (isSpace(c)) {
      this.endWord();
      return i + 1;
    }
    if (c === '\n') return this.newline(i);
    if (c === '#' && !this.word) {
      const eol = text.indexOf('\n', i);
      return eol < 0 ? text.length : eol;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      return this.extendTo(i, end < 0 ? text.length : end + 1);
    }
    if (c === '"') return this.doubleQuoted(i);
    if (c === '\\') {
      this.extend(i, Math.min(i + 2, text.length));
      return i + 2;
    }
    if (c === '$' && next === '(') return this.commandSubstitution(i);
    if (c === '$' && next === '{') return this.extendTo(i, skipBalanced(text, i + 1, '{', '}'));
    if (c === '`') return this.backticks(i);
    if (c === '(' && this.word && !this.array && text[i - 1] === '=' && /^[A-Za-z_]\w*\+?=$/.test(this.current()))
      return this.startArray(i);
    if (c === ')' && this.array) return this.endArray(i);
    if (c === '>' || c === '<' || (c === '&' && next === '>')) return this.redirect(i);
    if (c === '|' || c === ';' || c === '&' || c === '(' || c === ')') return this.operator(i);
    return this.extendTo(i, i + 1);
  }

  private newline(i: number): number {
    if (this.array) {
      this.endWord();
      return i + 1;
    }
    this.endPipeline();
    return this.skipHeredocBodies(i + 1);
  }

  /** Heredoc bodies are data, not commands: skip to the delimiter line. */
  private skipHeredocBodies(from: number): number {
    const text = this.text;
    let i = from;
    while (this.heredocs.length > 0) {
      const delim = this.heredocs.shift() as string;
      for (;;) {
        const eol = text.indexOf('\n', i);
        const line = text.slice(i, eol < 0 ? text.length : eol);
        i = eol < 0 ? text.length : eol + 1;
        if (line.trim() === delim || eol < 0) break;
      }
    }
    return i;
  }

  private doubleQuoted(i: number): number {
    const text = this.text;
    const stop = skipDoubleQuoted(text, i);
    // Substitutions inside double quotes are commands too.
    for (let j = i; j < stop; j++) {
      if (text[j] === '$' && text[j + 1] === '(' && text[j + 2] !== '(') {
        const end = skipBalanced(text, j + 1, '(', ')');
        this.substitutions.push({ start: j + 2, end: end - 1 });
        j = end - 1;
      }
    }
    return this.extendTo(i, stop);
  }

  /** `$(…)` (a command of its own); `$((…))` is arithmetic and stays a plain word. */
  private commandSubstitution(i: number): number {
    const stop = skipBalanced(this.text, i + 1, '(', ')');
    if (this.text[i + 2] !== '(') this.substitutions.push({ start: i + 2, end: stop - 1 });
    return this.extendTo(i, stop);
  }

  private backticks(i: number): number {
    const end = this.text.indexOf('`', i + 1);
    const stop = end < 0 ? this.text.length : end + 1;
    this.substitutions.push({ start: i + 1, end: stop - 1 });
    return this.extendTo(i, stop);
  }

  /** `name=(` opens an array assignment: the words up to `)` are its elements. */
  private startArray(i: number): number {
    const name = this.current().replace(/\+?=$/, '');
    this.array = { name, elements: [], start: (this.word as PartialWord).start };
    this.word = undefined;
    return i + 1;
  }

  private endArray(i: number): number {
    this.endWord();
    this.cmd.arrays.push(this.array as ArrayAssignment);
    this.array = undefined;
    return i + 1;
  }

  private redirect(i: number): number {
    const text = this.text;
    const c = text[i] as string;
    // `2>`, `&>`: the fd digits belong to the operator, not to a word.
    if (this.word && /^\d+$/.test(this.current())) this.word = undefined;
    else this.endWord();
    let op = c;
    let j = i + 1;
    while (j < text.length && /[<>&|-]/.test(text[j] as string) && op.length < 3) {
      op += text[j];
      j++;
    }
    // `>&2`: the target is a file descriptor, not a file.
    if (op.endsWith('&') && /\d/.test(text[j] ?? '')) return j + 1;
    this.pendingRedirect = op.startsWith('&') ? '>' : op.replace(/-$/, '') === '<<' ? '<<' : op.replace(/&$/, '');
    return j;
  }

  /** `|`, `|&` join commands into a pipeline; `;`, `&&`, `||`, `&`, `;;`, `(`, `)` end it. */
  private operator(i: number): number {
    const c = this.text[i] as string;
    const next = this.text[i + 1];
    let op = c;
    if ((c === '|' && next === '|') || (c === '&' && next === '&') || (c === ';' && next === ';')) op += next;
    else if (c === '|' && next === '&') op = '|&';
    if (op === '|' || op === '|&') this.endCommand();
    else if (SEPARATORS.has(op)) this.endPipeline();
    return i + op.length;
  }

  private extend(from: number, to: number): void {
    const word = this.word;
    if (!word) this.word = { start: from, runStart: from, runEnd: to, done: '' };
    else if (word.runEnd === from) word.runEnd = to;
    else {
      word.done += this.text.slice(word.runStart, word.runEnd);
      word.runStart = from;
      word.runEnd = to;
    }
  }

  private extendTo(from: number, stop: number): number {
    this.extend(from, stop);
    return stop;
  }

  private current(): string {
    return this.word ? this.word.done + this.text.slice(this.word.runStart, this.word.runEnd) : '';
  }

  private endWord(): void {
    if (!this.word) return;
    const w: Word = { raw: this.current(), start: this.word.start };
    this.word = undefined;
    if (this.pendingRedirect !== undefined) {
      if (this.pendingRedirect.startsWith('<<') && this.pendingRedirect !== '<<<') {
        this.heredocs.push(w.raw.replace(/['"\\]/g, ''));
      } else this.cmd.redirects.push({ op: this.pendingRedirect, target: w });
      this.pendingRedirect = undefined;
      return;
    }
    if (this.array) this.array.elements.push(w);
    else this.cmd.words.push(w);
  }

  private endCommand(): void {
    this.endWord();
    const cmd = this.cmd;
    if (cmd.words.length > 0 || cmd.redirects.length > 0 || cmd.arrays.length > 0) this.commands.push(cmd);
    this.cmd = emptyCommand();
  }

  private endPipeline(): void {
    this.endCommand();
    if (this.commands.length > 0) this.pipelines.push({ commands: this.commands });
    this.commands = [];
  }
}

/** Characters a word starts with that are not part of its value (for pointing at the value itself). */
export function valueOffset(w: Word): number {
  const first = w.raw[0];
  return first === '"' || first === "'" ? w.start + 1 : w.start;
}
