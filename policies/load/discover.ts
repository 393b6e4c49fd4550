/**
 * Finding and reading input files: the only file reading the loaders do.
 *
 * File system calls are synchronous on purpose: a scan is one-shot (CLI, Action), reads many small files,
 * and the promise API costs several times more per file than the reading itself.
 *
 * Walks are deterministic (entries sorted by name, byte order), skip vendored/tooling folders and config
 * `exclude` globs, follow a symlink only when its real path stays inside the scan root (and never into a
 * directory already walked, so link cycles end), and enforce the size/binary/encoding/file-count limits.
 */
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
} from 'node:fs';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { globMatcher } from '../facts/glob.js';
import { DEFAULT_LIMITS, type Limits } from '../config/types.js';
import type { LoadError, LoadNote } from '../model/model.js';
import { classifyPath, type FileClass } from './classify.js';
import { looksJudgedText } from './judge.js';
import { errorMessage } from '../model/errors.js';

export const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  'vendor',
  'third_party',
  'bower_components',
  '.venv',
  'venv',
  '__pycache__',
  '.terraform',
]);

export interface DiscoverOptions {
  cwd: string;
  /** Reads standard input; given the size limit, a reader stops after `maxBytes` + 1 bytes. */
  readStdin?: (maxBytes?: number) => Promise<string>;
  limits?: Partial<Limits>;
  exclude?: string[];
  /**
   * Files someone else judges (a renderer: chart templates, overlay resources), by real absolute path:
   * not read here, so they are neither judged twice nor noted once per file.
   */
  skip?: (absPath: string) => boolean;
}

export interface FileExtra {
  forceYaml?: boolean;
  helmChartTemplate?: boolean;
  folderName?: string;
  /** Reads the file again, decoded as it was (files on disk; not pipes or stdin). */
  reread?: () => string | undefined;
}

export interface DiscoverSink {
  file(file: string, text: string, extra: FileExtra): void;
  error(err: LoadError): void;
  note(note: LoadNote): void;
}

interface Candidate {
  abs: string;
  display: string;
  helm: boolean;
  /** A skipped entry to report in walk order instead of a file to read. */
  note?: string;
  /** A folder that could not be read, reported in walk order. */
  error?: string;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Formats a byte count the way the size-limit error shows it (`7.2 MB`, `5 MB`). */
export function formatMB(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** Byte offset of the first invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    let n = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function lineOfOffset(buf: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === 10) line++;
  return line;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

/** What a file that is not valid UTF-8 becomes, by what it was classified as (see {@link decodeText}). */
function undecodable(file: string, buf: Uint8Array, cls: FileClass | undefined): DecodeResult {
  if (cls?.kind === 'yaml' || cls?.kind === 'json') {
    // A Latin-1 translation or fixture file is not ours to judge, nor an input error that fails the scan; a
    // manifest or compose file in a legacy encoding is (kubectl and compose refuse it too).
    const text = lenientDecoder.decode(buf);
    if (!looksJudgedText(text, cls.kind, cls.kind === 'yaml' && cls.compose)) return { skip: true };
  } else if (cls?.kind === 'script' || cls?.kind === 'source' || cls?.kind === 'maybe-script') {
    // Scripts and sources are searched for commands and paths, which are ASCII: an accented comment costs
    // nothing when the bad bytes become U+FFFD (one character each, so columns still match a Latin-1 editor).
    return { text: lenientDecoder.decode(buf) };
  }
  const at = firstInvalidUtf8(buf);
  const line = at >= 0 ? lineOfOffset(buf, at) : undefined;
  return {
    error: {
      file,
      ...(line !== undefined ? { line } : {}),
      message: `not UTF-8 text${at >= 0 ? ` (invalid byte 0x${(buf[at] as number).toString(16).padStart(2, '0')} at byte ${at})` : ''}: not scanned; re-save the file as UTF-8`,
    },
  };
}

export type DecodeResult = { text: string } | { error: LoadError } | { skip: true };

/**
 * Decodes an input file, or says clearly why it cannot be read as text. With its class, a file that is not UTF-8
 * is skipped when it is not a manifest or compose file, and read leniently when it is a script or source.
 */
export function decodeText(file: string, buf: Uint8Array, cls?: FileClass): DecodeResult {
  const nul = buf.indexOf(0);
  if (nul >= 0) return { error: { file, message: `binary file (contains NUL bytes at byte ${nul}): not scanned` } };
  try {
    return { text: decoder.decode(buf) };
  } catch {
    return undecodable(file, buf, cls);
  }
}

/** Walks `paths` and hands every readable supported file to `sink.file`, in sorted order. */
export async function discoverAndRead(paths: string[], opts: DiscoverOptions, sink: DiscoverSink): Promise<void> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const candidates: Candidate[] = [];
  const seenFiles = new Set<string>();
  const counter: Counter = { files: 0, stopped: false };
  for (const given of paths) {
    if (given === '-') {
      flush(candidates, limits, sink, seenFiles, counter, opts.skip); // keep the order of the arguments
      candidates.length = 0;
      if (!opts.readStdin) {
        sink.error({ file: '<stdin>', message: 'standard input is not available here' });
        continue;
      }
      try {
        const text = await opts.readStdin(limits.maxFileBytes);
        if (Buffer.byteLength(text) > limits.maxFileBytes) {
          sink.error({
            file: '<stdin>',
            message: `input is over the ${formatMB(limits.maxFileBytes)} limit (limits.maxFileBytes): not scanned`,
          });
        } else sink.file('<stdin>', text, { forceYaml: true });
      } catch (err) {
        sink.error({
          file: '<stdin>',
          message: `cannot read standard input: ${errorMessage(err)}`,
        });
      }
      continue;
    }
    const abs = path.resolve(opts.cwd, given);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      sink.error({
        file: given,
        message: code === 'ENOENT' ? `path not found: ${given}` : `cannot read ${given}: ${errorMessage(err)}`,
      });
      continue;
    }
    const displayBase = displayPath(opts.cwd, abs, given);
    if (st.isDirectory()) {
      let root: string;
      try {
        root = realpathSync(abs);
      } catch (err) {
        sink.error({ file: given, message: `cannot read ${given}: ${errorMessage(err)}` });
        continue;
      }
      const exclude =
        opts.exclude && opts.exclude.length > 0 ? globMatcher(opts.exclude, { basename: true }) : undefined;
      walk(root, root, '', displayBase, exclude, new Set([root]), candidates, false);
    } else if (st.isFile()) {
      const parent = path.dirname(abs);
      const helm = path.basename(parent) === 'templates' && existsSync(path.join(path.dirname(parent), 'Chart.yaml'));
      candidates.push({ abs, display: displayBase, helm });
    } else if (st.isFIFO()) {
      // `scan <(helm template .)`: a pipe named explicitly is read like stdin, up to the size limit.
      flush(candidates, limits, sink, seenFiles, counter, opts.skip);
      candidates.length = 0;
      const read = await readPipe(abs, limits.maxFileBytes);
      if ('error' in read) sink.error({ file: given, message: read.error });
      else {
        const cls = classifyPath(displayBase);
        sink.file(
          displayBase,
          read.text,
          cls.kind === 'skip' || cls.kind === 'maybe-script' ? { forceYaml: true } : {},
        );
      }
    } else {
      const what =
        st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a file';
      sink.error({ file: given, message: `${given} is ${what}, not a file or folder: not scanned` });
    }
  }
  flush(candidates, limits, sink, seenFiles, counter, opts.skip);
}

/** Reads a named pipe up to `maxBytes` + 1 bytes; stops there (a writer that never ends cannot stall us). */
async function readPipe(abs: string, maxBytes: number): Promise<{ text: string } | { error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of createReadStream(abs, { highWaterMark: 64 * 1024 })) {
      const buf = chunk as Buffer;
      chunks.push(buf);
      size += buf.length;
      if (size > maxBytes)
        return { error: `input is over the ${formatMB(maxBytes)} limit (limits.maxFileBytes): not scanned` };
    }
  } catch (err) {
    return { error: `cannot read the pipe: ${(err as Error).message}` };
  }
  const decoded = decodeText(abs, Buffer.concat(chunks));
  return 'text' in decoded
    ? { text: decoded.text }
    : { error: 'error' in decoded ? decoded.error.message : 'not UTF-8 text' };
}

function displayPath(cwd: string, abs: string, given: string): string {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return toPosix(given).replace(/\/+$/, '') || '/';
  return toPosix(rel);
}

function joinDisplay(base: string, rel: string): string {
  if (rel === '') return base;
  return base === '.' ? rel : `${base}/${rel}`;
}

function walk(
  root: string,
  dir: string,
  rel: string,
  displayBase: string,
  exclude: ((p: string) => boolean) | undefined,
  visited: Set<string>,
  out: Candidate[],
  inHelmTemplates: boolean,
): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    out.push({
      abs: dir,
      display: joinDisplay(displayBase, rel),
      helm: false,
      error: `cannot read folder: ${errorMessage(err)}`,
    });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isChart = entries.some((e) => e.name === 'Chart.yaml' && !e.isDirectory());
  for (const e of entries) {
    const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
    const abs = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    let real = abs;
    if (e.isSymbolicLink()) {
      try {
        real = realpathSync(abs);
        const st = statSync(real);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // dangling link: nothing to scan
      }
      if (!isInside(root, real)) {
        out.push({
          abs,
          display: joinDisplay(displayBase, childRel),
          helm: false,
          note: 'symlink points outside the scan root: not followed',
        });
        continue;
      }
    }
    if (isDir) {
      if (SKIPPED_DIRS.has(e.name)) continue;
      if (exclude && (exclude(childRel) || exclude(`${childRel}/`))) continue;
      if (visited.has(real)) continue; // a link back into a folder already walked
      visited.add(real);
      walk(
        root,
        real,
        childRel,
        displayBase,
        exclude,
        visited,
        out,
        inHelmTemplates || (isChart && e.name === 'templates'),
      );
    } else if (isFile) {
      if (exclude && exclude(childRel)) continue;
      out.push({ abs: real, display: joinDisplay(displayBase, childRel), helm: inHelmTemplates });
    }
  }
}

/** Files handed on so far, across flushes (stdin splits the argument list into several flushes). */
interface Counter {
  files: number;
  stopped: boolean;
}

function flush(
  candidates: Candidate[],
  limits: Limits,
  sink: DiscoverSink,
  seen: Set<string>,
  counter: Counter,
  skip: ((absPath: string) => boolean) | undefined,
): void {
  for (const c of candidates) {
    if (counter.stopped) return;
    if (skip?.(c.abs)) continue;
    if (c.note !== undefined) {
      sink.note({ file: c.display, message: c.note });
      continue;
    }
    if (c.error !== undefined) {
      sink.error({ file: c.display, message: c.error });
      continue;
    }
    if (seen.has(c.abs)) continue; // the same file reached twice (two arguments, or a link)
    seen.add(c.abs);
    if (classifyPath(c.display).kind === 'skip') continue;
    const r = readCandidate(c, limits);
    if (r.kind === 'skip') continue;
    if (++counter.files > limits.maxFiles) {
      sink.error({
        file: c.display,
        message: `more than ${limits.maxFiles} files to scan (limits.maxFiles): this file and the rest were not scanned`,
      });
      counter.stopped = true;
      return;
    }
    if (r.kind === 'error') sink.error(r.error);
    else sink.file(c.display, r.text, { ...(c.helm ? { helmChartTemplate: true } : {}), reread: rereader(c) });
  }
}

/** Reads a candidate again for positions (the scan keeps no file text between loading and reporting). */
function rereader(c: Candidate): () => string | undefined {
  return () => {
    try {
      // Decoded as the first read was (a script with a stray Latin-1 byte is read the same lenient way).
      const decoded = decodeText(c.display, readFileSync(c.abs), classifyPath(c.display));
      return 'text' in decoded ? decoded.text : undefined;
    } catch {
      return undefined;
    }
  };
}

type ReadResult = { kind: 'skip' } | { kind: 'error'; error: LoadError } | { kind: 'text'; text: string };

/** Bytes of an oversized YAML/JSON file read to decide whether it was meant to be a manifest. */
const OVERSIZED_HEAD_BYTES = 64 * 1024;

/**
 * An oversized YAML/JSON file is an input error only when it is ours (a manifest or compose file, by its
 * head): a 12 MB `package-lock.json` or a generated dashboard is not, and must not fail the scan.
 */
function oversizedIsOurs(fd: number, cls: FileClass): boolean {
  if (cls.kind !== 'yaml' && cls.kind !== 'json') return true;
  const head = Buffer.alloc(OVERSIZED_HEAD_BYTES);
  const n = readSync(fd, head, 0, head.length, 0);
  return looksJudgedText(head.subarray(0, n).toString('utf8'), cls.kind, cls.kind === 'yaml' && cls.compose);
}

function readCandidate(c: Candidate, limits: Limits): ReadResult {
  const cls = classifyPath(c.display);
  const optional = cls.kind === 'maybe-script'; // extension-less: only a shell script by its shebang
  let fd: number | undefined;
  try {
    // One open + fstat + read: the size is checked on the open file before anything is read into memory.
    fd = openSync(c.abs, 'r');
    const size = fstatSync(fd).size;
    if (optional) {
      // Extension-less files are often binaries: look at the first two bytes before reading the rest.
      const head = Buffer.alloc(2);
      if (readSync(fd, head, 0, 2, 0) < 2 || head[0] !== 0x23 || head[1] !== 0x21) return { kind: 'skip' };
    }
    if (size > limits.maxFileBytes) {
      if (optional || !oversizedIsOurs(fd, cls)) return { kind: 'skip' };
      return {
        kind: 'error',
        error: {
          file: c.display,
          message: `file is ${formatMB(size)}, over the ${formatMB(limits.maxFileBytes)} limit (limits.maxFileBytes): not scanned`,
        },
      };
    }
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break; // the file shrank while being read
      got += n;
    }
    const data = got === size ? buf : buf.subarray(0, got);
    const decoded = decodeText(c.display, data, cls);
    if ('skip' in decoded) return { kind: 'skip' };
    if ('error' in decoded) return optional ? { kind: 'skip' } : { kind: 'error', error: decoded.error };
    return { kind: 'text', text: decoded.text };
  } catch (err) {
    return { kind: 'error', error: { file: c.display, message: `cannot read file: ${errorMessage(err)}` } };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
  }
}
