/**
 * Reads shell text (a script, a Makefile recipe, a workflow `run:`) for the facts the k3s image rule needs:
 * images built locally, the steps that import them into k3s's containerd, and signs that the repository
 * deploys to k3s at all. Several texts of one file share one scanner, so a tarball saved in one step and
 * imported in another is linked to its image.
 */
import type { Anchor, ImageBuildFact, ImageImportFact, ImageSourceFact, LoadNote } from '../../model/model.js';
import { parseShell, valueOffset, type SimpleCommand, type Word } from './shell.js';
import { expandWord, isMeaningfulImage, UNKNOWN, VarTable, type WordDialect } from './expand.js';

export interface TextPosition {
  line: number;
  column: number;
}

/** A piece of shell text inside a file: where its characters are in the file. */
export interface ShellSegment {
  text: string;
  dialect: WordDialect;
  /** Position in the file of an offset in `text`. */
  locate: (offset: number) => TextPosition;
  /** Offset in the file of the segment's start, for ordering variable assignments. */
  base: number;
}

const CONTAINER_CLIS = new Set(['docker', 'podman', 'nerdctl', 'buildah', 'finch']);
const AGENT_IMAGES_DIR = '/var/lib/rancher/k3s/agent/images';
const K3S_TOOLS = new Set(['k3s', 'k3d', 'k3sup']);
const DECOMPRESSORS = new Set([
  'cat',
  'zcat',
  'gunzip',
  'gzip',
  'pigz',
  'zstd',
  'zstdcat',
  'xz',
  'xzcat',
  'unxz',
  'bzip2',
  'bzcat',
  'pv',
]);
const COMPRESSORS = new Set(['gzip', 'pigz', 'zstd', 'xz', 'bzip2', 'pv', 'cat']);
/** Words before the real command that only change how it runs. */
const PREFIX_WORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  '{',
  'time',
  'exec',
  'command',
  'nohup',
  'builtin',
]);
const ASSIGNMENT_BUILTINS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
/** Options of container CLIs (before the subcommand) that take a value. */
/** `docker build` options that take a value (the context is the one positional argument). */
const BUILD_VALUE_OPTIONS = new Set([
  '-t',
  '--tag',
  '-f',
  '--file',
  '--build-arg',
  '--build-context',
  '--label',
  '--platform',
  '--target',
  '--network',
  '--secret',
  '--ssh',
  '--cache-from',
  '--cache-to',
  '-o',
  '--output',
  '--progress',
  '--iidfile',
  '--metadata-file',
  '--add-host',
  '--shm-size',
  '-m',
  '--memory',
  '--ulimit',
  '--annotation',
  '--attest',
  '--allow',
  '--builder',
]);

const GLOBAL_VALUE_OPTIONS = new Set([
  '--context',
  '-c',
  '-H',
  '--host',
  '--config',
  '-n',
  '--namespace',
  '--address',
  '-a',
  '--log-level',
  '-l',
  '--url',
  '--connection',
  '--storage-driver',
  '--root',
  '--runroot',
  '--builder',
]);
const CTR_VALUE_OPTIONS = new Set(['-n', '--namespace', '-a', '--address', '--timeout', '--connect-timeout']);
const ASSIGNMENT_RE = /^([A-Za-z_]\w*)\+?=/;
const MAX_SUBSTITUTION_DEPTH = 6;

interface Save {
  images: Word[];
  tarball: string;
  at: number;
}

interface TarballImport {
  tarball: string;
  method: string;
  word: Word;
  segment: ShellSegment;
}

/** A command with its words expanded on demand. */
class Cmd {
  readonly words: Word[];
  private readonly cache = new Map<number, string>();
  constructor(
    readonly source: SimpleCommand,
    words: Word[],
    private readonly scanner: ScriptScanner,
    readonly segment: ShellSegment,
    readonly env: Record<string, string>,
  ) {
    this.words = words;
  }
  get length(): number {
    return this.words.length;
  }
  exp(i: number): string {
    const w = this.words[i];
    if (!w) return '';
    let v = this.cache.get(i);
    if (v === undefined) {
      v = this.scanner.expand(w, this.segment);
      this.cache.set(i, v);
    }
    return v;
  }
  tool(): string {
    const first = this.exp(0);
    return first.slice(first.lastIndexOf('/') + 1);
  }
  redirect(op: (o: string) => boolean): Word | undefined {
    return this.source.redirects.find((r) => op(r.op))?.target;
  }
}

function byAnchor(a: Anchor, b: Anchor): number {
  return a.kind === 'pos' && b.kind === 'pos' ? a.line - b.line || a.column - b.column : 0;
}

function byPosition(a: { at: Anchor }, b: { at: Anchor }): number {
  return byAnchor(a.at, b.at);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export class ScriptScanner {
  readonly vars = new VarTable();
  readonly builds: ImageBuildFact[] = [];
  /** Which Dockerfile builds which image (`-t NAME [-f FILE] CONTEXT`), pushed or not. */
  readonly imageSources: ImageSourceFact[] = [];
  readonly imports: ImageImportFact[] = [];
  readonly k3sSignals: Anchor[] = [];
  readonly notes: LoadNote[] = [];
  private readonly pushed = new Set<string>();
  private readonly saves: Save[] = [];
  private readonly saveSegments = new Map<Save, ShellSegment>();
  private readonly tarballImports: TarballImport[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly file: string) {}

  /** Variables that the runner sets (workflow `env:`, Taskfile `vars:`), visible everywhere in the file. */
  defineGlobal(name: string, raw: string, syntax: 'literal' | 'template' | 'shell' | 'make', offset = -1): void {
    this.vars.define(name, { raw, syntax, offset });
  }

  expand(w: Word, seg: ShellSegment): string {
    return expandWord(w.raw, this.vars, seg.dialect, seg.base + w.start);
  }

  at(seg: ShellSegment, offset: number): Anchor {
    const p = seg.locate(offset);
    return { kind: 'pos', file: this.file, line: p.line, column: p.column };
  }

  /** Reads one piece of shell text. Call `finish()` after the last one. */
  scan(seg: ShellSegment, depth = 0): void {
    const parsed = parseShell(seg.text);
    const pipelines = parsed.pipelines.map((p) => p.commands.map((c) => this.prepare(c, seg)));
    for (const commands of pipelines) {
      commands.forEach((cmd, index) => {
        if (cmd) this.analyze(cmd, commands, index);
      });
    }
    // Real scripts nest `$(…)` two or three deep; a bound keeps hostile input linear.
    if (depth >= MAX_SUBSTITUTION_DEPTH) return;
    for (const sub of parsed.substitutions) {
      const inner = seg.text.slice(sub.start, sub.end);
      if (!/\b(build|bud|save|import|k3s|k3d|kind|cp|mv|install|scp|rsync)\b/.test(inner)) continue;
      this.scan(
        { ...seg, text: inner, locate: (o) => seg.locate(sub.start + o), base: seg.base + sub.start },
        depth + 1,
      );
    }
  }

  /** Records assignments and strips the words that only change how the command runs (`sudo`, `if`, `FOO=1`). */
  private prepare(c: SimpleCommand, seg: ShellSegment): Cmd | undefined {
    const env: Record<string, string> = {};
    let words = c.words;
    for (const a of c.arrays) {
      // Only the array's existence matters for builds; its elements are read by `analyzeArrays`.
      this.vars.define(a.name, { raw: UNKNOWN, syntax: 'literal', offset: seg.base + a.start });
    }
    let i = 0;
    for (;;) {
      const w = words[i];
      if (!w) break;
      const m = ASSIGNMENT_RE.exec(w.raw);
      if (m) {
        const name = m[1] as string;
        const raw = w.raw.slice(m[0].length);
        this.vars.define(name, { raw, syntax: 'shell', offset: seg.base + w.start });
        // Only the containerd namespace is ever read from a command's environment.
        env[name] = name === 'CONTAINERD_NAMESPACE' ? expandWord(raw, this.vars, seg.dialect, seg.base + w.start) : raw;
        i++;
        continue;
      }
      const v = w.raw;
      if (PREFIX_WORDS.has(v)) {
        i++;
        continue;
      }
      if (v === 'sudo' || v === 'doas') {
        i++;
        while (words[i]?.raw.startsWith('-')) {
          const opt = (words[i] as Word).raw;
          i += ['-u', '-g', '-C', '-p', '-h', '-U', '-r', '-t'].includes(opt) ? 2 : 1;
        }
        continue;
      }
      if (v === 'env') {
        i++;
        while (words[i]?.raw.startsWith('-')) i += (words[i] as Word).raw === '-u' ? 2 : 1;
        continue;
      }
      if (ASSIGNMENT_BUILTINS.has(v)) {
        // `export IMAGE=x`, `local name=$1`: assignments only, no command runs.
        for (const rest of words.slice(i + 1)) {
          const am = ASSIGNMENT_RE.exec(rest.raw);
          if (am)
            this.vars.define(am[1] as string, {
              raw: rest.raw.slice(am[0].length),
              syntax: 'shell',
              offset: seg.base + rest.start,
            });
        }
        this.analyzeArrays(c, seg);
        return undefined;
      }
      break;
    }
    words = words.slice(i);
    this.analyzeArrays(c, seg);
    if (words.length === 0) return undefined;
    return new Cmd(c, words, this, seg, env);
  }

  private signal(cmd: Cmd, offset: number): void {
    const anchor = this.at(cmd.segment, offset);
    const key = `${anchor.kind === 'pos' ? anchor.line : 0}`;
    if (this.seen.has(`signal:${key}`)) return;
    this.seen.add(`signal:${key}`);
    this.k3sSignals.push(anchor);
  }

  private analyze(cmd: Cmd, pipeline: (Cmd | undefined)[], index: number): void {
    const tool = cmd.tool();
    const first = cmd.words[0] as Word;
    if (K3S_TOOLS.has(tool)) this.signal(cmd, first.start);
    for (let i = 0; i < cmd.length; i++) {
      const raw = (cmd.words[i] as Word).raw;
      // Expanding is the costly part: only words that could name k3s after expansion are expanded.
      if (!raw.includes('k3s') && !raw.includes('$') && !raw.includes('{{')) continue;
      const v = cmd.exp(i);
      if (v.includes('get.k3s.io') || v.includes('/etc/rancher/k3s') || v.includes('/var/lib/rancher/k3s'))
        this.signal(cmd, (cmd.words[i] as Word).start);
    }
    if (Object.keys(cmd.env).some((k) => k.startsWith('INSTALL_K3S_') || k === 'K3S_TOKEN' || k === 'K3S_URL'))
      this.signal(cmd, first.start);

    const viaVariable = tool.includes(UNKNOWN);
    if (CONTAINER_CLIS.has(tool) || viaVariable)
      this.containerCommand(cmd, pipeline, index, viaVariable ? first.raw : tool);
    else if (tool === 'k3s' && cmd.exp(1) === 'ctr') this.ctrImport(cmd, 2, 'k3s ctr', pipeline, index);
    else if (tool === 'ctr') this.ctrImport(cmd, 1, 'ctr -n k8s.io', pipeline, index);
    else if (tool === 'k3d' && cmd.exp(1) === 'image' && cmd.exp(2) === 'import') this.k3dImport(cmd);
    else if (tool === 'kind' && cmd.exp(1) === 'load') this.kindLoad(cmd);
    else if (['cp', 'mv', 'install', 'scp', 'rsync'].includes(tool)) this.copyToAgentDir(cmd);
  }

  private containerCommand(cmd: Cmd, pipeline: (Cmd | undefined)[], index: number, tool: string): void {
    let j = 1;
    while (j < cmd.length && cmd.exp(j).startsWith('-')) j += GLOBAL_VALUE_OPTIONS.has(cmd.exp(j)) ? 2 : 1;
    let sub = cmd.exp(j);
    let buildTool = tool;
    if (sub === 'buildx') {
      j++;
      while (j < cmd.length && cmd.exp(j).startsWith('-')) j += cmd.exp(j) === '--builder' ? 2 : 1;
      sub = cmd.exp(j);
      if (sub === 'b') sub = 'build';
      buildTool = 'buildx';
    } else if (sub === 'image' || sub === 'builder') {
      j++;
      sub = cmd.exp(j);
    }
    if (sub === 'build' || sub === 'bud' || sub === 'build-using-dockerfile') this.build(cmd, j + 1, buildTool);
    else if (sub === 'save') this.save(cmd, j + 1, pipeline, index);
    else if (sub === 'tag') {
      // `docker tag app kilo/app:v2`: the new name exists only in the local store (unless pushed later).
      const names = cmd.words.slice(j + 1).filter((w) => !w.raw.startsWith('-'));
      const target = names[1];
      if (target)
        this.addBuild(this.expand(target, cmd.segment), `${tool} tag`, this.at(cmd.segment, valueOffset(target)));
    } else if (sub === 'push') {
      for (let k = j + 1; k < cmd.length; k++) if (!cmd.exp(k).startsWith('-')) this.pushed.add(cmd.exp(k));
    }
  }

  private build(cmd: Cmd, from: number, tool: string): void {
    const tags: { word: Word; value: string; offset: number }[] = [];
    let pushes = false;
    let dockerfile: string | undefined;
    let context: string | undefined;
    for (let k = from; k < cmd.length; k++) {
      const v = cmd.exp(k);
      const w = cmd.words[k] as Word;
      if ((v === '-f' || v === '--file') && cmd.words[k + 1]) dockerfile = cmd.exp(k + 1);
      else if (v.startsWith('--file=')) dockerfile = v.slice(7);
      else if (!v.startsWith('-') && !BUILD_VALUE_OPTIONS.has(cmd.exp(k - 1))) context = v;
      if ((v === '-t' || v === '--tag') && cmd.words[k + 1]) {
        const tw = cmd.words[k + 1] as Word;
        tags.push({ word: tw, value: cmd.exp(k + 1), offset: valueOffset(tw) });
        k++;
      } else if (v.startsWith('--tag='))
        tags.push({ word: w, value: v.slice(6), offset: w.start + w.raw.indexOf('=') + 1 });
      else if (/^-t[^-]/.test(v)) tags.push({ word: w, value: v.slice(2).replace(/^=/, ''), offset: w.start + 2 });
      else if (
        v === '--push' ||
        /^(-o|--output)=?.*type=registry/.test(v) ||
        ((v === '-o' || v === '--output') && cmd.exp(k + 1).includes('type=registry'))
      )
        pushes = true;
    }
    if (context !== undefined || dockerfile !== undefined) {
      // docker resolves `-f` against the working directory, and the default Dockerfile inside the context.
      const file = dockerfile !== undefined && dockerfile !== '-' ? dockerfile : `${context ?? '.'}/Dockerfile`;
      for (const t of tags)
        if (isMeaningfulImage(t.value))
          this.imageSources.push({
            image: t.value,
            dockerfile: file,
            from: this.file,
            at: this.at(cmd.segment, t.offset),
          });
    }
    if (pushes) return;
    for (const t of tags) this.addBuild(t.value, tool, this.at(cmd.segment, t.offset));
  }

  /** Records a build found outside shell text (a workflow's build action). */
  addBuildFact(image: string, tool: string, at: Anchor): void {
    this.addBuild(image, tool, at);
  }

  private addBuild(image: string, tool: string, at: Anchor): void {
    if (!isMeaningfulImage(image)) return;
    const key = `build:${image}:${at.kind === 'pos' ? `${at.line}:${at.column}` : ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.builds.push({ image, tool, at });
  }

  /** `local args=("build" "-t" "localhost/app:latest")` … `podman "${args[@]}" .` (a pattern in real scripts). */
  private analyzeArrays(c: SimpleCommand, seg: ShellSegment): void {
    for (const a of c.arrays) {
      const values = a.elements.map((w) => this.expand(w, seg));
      if (!values.some((v) => v === 'build' || v === 'bud')) continue;
      const expansion = new RegExp(String.raw`(?:^|[\s;&|(])(\S+)\s+"?\$\{${a.name}\[[@*]\]\}`, 'm');
      const m = expansion.exec(seg.text.slice(a.start));
      const tool = m ? basename((m[1] as string).replace(/^["']|["']$/g, '')) : 'container builder';
      for (let k = 0; k < values.length; k++) {
        const v = values[k] as string;
        const next = a.elements[k + 1];
        if ((v === '-t' || v === '--tag') && next)
          this.addBuild(values[k + 1] as string, tool, this.at(seg, valueOffset(next)));
        else if (v.startsWith('--tag='))
          this.addBuild(v.slice(6), tool, this.at(seg, valueOffset(a.elements[k] as Word)));
      }
    }
  }

  private save(cmd: Cmd, from: number, pipeline: (Cmd | undefined)[], index: number): void {
    const images: Word[] = [];
    let output: string | undefined;
    for (let k = from; k < cmd.length; k++) {
      const v = cmd.exp(k);
      if (v === '-o' || v === '--output') {
        output = cmd.exp(k + 1);
        k++;
      } else if (v.startsWith('--output=')) output = v.slice(9);
      else if (/^-o./.test(v)) output = v.slice(2);
      else if (v === '--format' || v === '--platform') k++;
      else if (!v.startsWith('-')) images.push(cmd.words[k] as Word);
    }
    const redirect = cmd.redirect((op) => op === '>' || op === '>>' || op === '>|');
    if (output === undefined && redirect) output = this.expand(redirect, cmd.segment);
    if (images.length === 0) return;
    if (output === undefined) {
      // Piped: straight into an import, or through a compressor into a file.
      for (const next of pipeline.slice(index + 1)) {
        if (!next) continue;
        const method = this.stdinImportMethod(next);
        if (method) {
          for (const w of images)
            this.addImport({ image: this.expand(w, cmd.segment), method, at: this.at(cmd.segment, valueOffset(w)) });
          if (K3S_TOOLS.has(next.tool())) this.signal(next, (next.words[0] as Word).start);
          return;
        }
        if (next.tool() === 'tee') {
          // `docker save app | sudo tee /var/lib/rancher/k3s/agent/images/app.tar >/dev/null`
          const file = next.words.slice(1).findIndex((w) => !w.raw.startsWith('-'));
          if (file >= 0) {
            output = next.exp(file + 1);
            break;
          }
        }
        const r = next.redirect((op) => op === '>' || op === '>>');
        if (COMPRESSORS.has(next.tool()) && r) {
          output = this.expand(r, next.segment);
          break;
        }
      }
    }
    if (output === undefined) return;
    const save: Save = { images, tarball: output, at: cmd.words[0]?.start ?? 0 };
    this.saves.push(save);
    this.saveSegments.set(save, cmd.segment);
    if (output.startsWith(`${AGENT_IMAGES_DIR}/`)) {
      for (const w of images)
        this.addImport({
          image: this.expand(w, cmd.segment),
          tarball: output,
          method: 'k3s agent images dir',
          at: this.at(cmd.segment, valueOffset(w)),
        });
    }
  }

  /** The import method when `cmd` imports an image archive from stdin into k3s's containerd, else undefined. */
  private stdinImportMethod(cmd: Cmd): string | undefined {
    const tool = cmd.tool();
    if (tool === 'k3s' && cmd.exp(1) === 'ctr') {
      const r = this.parseCtr(cmd, 2);
      return r && r.files.includes('-') && r.namespaceOk ? 'k3s ctr' : undefined;
    }
    if (tool === 'ctr') {
      const r = this.parseCtr(cmd, 1);
      return r && r.files.includes('-') && r.namespaceOk ? 'ctr -n k8s.io' : undefined;
    }
    if (tool === 'ssh') {
      // `docker save app | ssh node 'sudo k3s ctr images import -'`: read the remote command as shell.
      for (let k = cmd.length - 1; k >= 1; k--) {
        const inner = cmd.exp(k);
        if (!/\bimport\b/.test(inner)) continue;
        for (const p of parseShell(inner).pipelines) {
          for (const c of p.commands) {
            const nested = this.prepare(c, { ...cmd.segment, text: inner });
            if (nested) {
              const m = this.stdinImportMethod(nested);
              if (m) return m;
            }
          }
        }
      }
    }
    return undefined;
  }

  /** `[k3s] ctr [-n k8s.io] images|image|i import [opts] FILE...` → files and whether the namespace is k3s's. */
  private parseCtr(cmd: Cmd, from: number): { files: string[]; fileWords: Word[]; namespaceOk: boolean } | undefined {
    const isK3s = from === 2;
    let namespace: string | undefined = cmd.env.CONTAINERD_NAMESPACE;
    let j = from;
    while (j < cmd.length && cmd.exp(j).startsWith('-')) {
      const v = cmd.exp(j);
      if (v === '-n' || v === '--namespace') namespace = cmd.exp(j + 1);
      else if (/^(-n|--namespace)=/.test(v)) namespace = v.slice(v.indexOf('=') + 1);
      j += CTR_VALUE_OPTIONS.has(v) ? 2 : 1;
    }
    if (!['images', 'image', 'i'].includes(cmd.exp(j)) || cmd.exp(j + 1) !== 'import') return undefined;
    const files: string[] = [];
    const fileWords: Word[] = [];
    for (let k = j + 2; k < cmd.length; k++) {
      const v = cmd.exp(k);
      if (v === '-') {
        files.push('-');
        fileWords.push(cmd.words[k] as Word);
      } else if (v.startsWith('-')) {
        if (['--base-name', '--index-name', '--platform', '--label', '--snapshotter'].includes(v)) k++;
      } else {
        files.push(v);
        fileWords.push(cmd.words[k] as Word);
      }
    }
    if (files.length === 0 && cmd.redirect((op) => op === '<')) files.push('-');
    const namespaceOk = namespace === undefined ? isK3s : namespace === 'k8s.io';
    return { files, fileWords, namespaceOk };
  }

  private ctrImport(cmd: Cmd, from: number, method: string, pipeline: (Cmd | undefined)[], index: number): void {
    const r = this.parseCtr(cmd, from);
    if (!r) return;
    if (from === 2) this.signal(cmd, (cmd.words[0] as Word).start);
    const pos = this.at(cmd.segment, (cmd.words[0] as Word).start);
    if (!r.namespaceOk) {
      this.notes.push({
        file: this.file,
        message: `line ${pos.kind === 'pos' ? pos.line : 0}: this 'ctr images import' does not use namespace k8s.io, so Kubernetes (k3s) will not see the imported image; add '-n k8s.io'`,
      });
      return;
    }
    r.files.forEach((file, n) => {
      const word = r.fileWords[n];
      if (file === '-') {
        // Piped from `docker save` (handled there), or from `cat`/`zcat FILE`, or redirected from a file.
        const before = pipeline.slice(0, index).filter((c): c is Cmd => c !== undefined);
        if (before.some((c) => CONTAINER_CLIS.has(c.tool()) || c.tool().includes(UNKNOWN))) return;
        const source = before.find((c) => DECOMPRESSORS.has(c.tool()));
        if (source) {
          for (let k = 1; k < source.length; k++) {
            if (source.exp(k).startsWith('-')) continue;
            this.tarballImports.push({
              tarball: source.exp(k),
              method,
              word: source.words[k] as Word,
              segment: source.segment,
            });
          }
          return;
        }
        const redirect = cmd.redirect((op) => op === '<');
        if (redirect)
          this.tarballImports.push({
            tarball: this.expand(redirect, cmd.segment),
            method,
            word: redirect,
            segment: cmd.segment,
          });
        return;
      }
      if (word) this.tarballImports.push({ tarball: file, method, word, segment: cmd.segment });
    });
  }

  private k3dImport(cmd: Cmd): void {
    for (let k = 3; k < cmd.length; k++) {
      const v = cmd.exp(k);
      if (['-c', '--cluster', '-m', '--mode'].includes(v)) {
        k++;
        continue;
      }
      if (v.startsWith('-')) continue;
      this.importArgument(cmd, k, 'k3d image import');
    }
  }

  private kindLoad(cmd: Cmd): void {
    const kind = cmd.exp(2);
    if (kind !== 'docker-image' && kind !== 'image-archive') return;
    for (let k = 3; k < cmd.length; k++) {
      const v = cmd.exp(k);
      if (['--name', '-n', '--nodes'].includes(v)) {
        k++;
        continue;
      }
      if (v.startsWith('-')) continue;
      this.importArgument(cmd, k, 'kind load');
    }
  }

  /** An argument that is either an image reference or an image archive (`.tar`, `.tar.gz`). */
  private importArgument(cmd: Cmd, k: number, method: string): void {
    const v = cmd.exp(k);
    const w = cmd.words[k] as Word;
    if (/\.(tar|tgz|tar\.gz|tar\.zst)$/.test(v))
      this.tarballImports.push({ tarball: v, method, word: w, segment: cmd.segment });
    else if (isMeaningfulImage(v)) this.addImport({ image: v, method, at: this.at(cmd.segment, valueOffset(w)) });
  }

  /** `cp app.tar /var/lib/rancher/k3s/agent/images/`: k3s imports archives in that folder when it starts. */
  private copyToAgentDir(cmd: Cmd): void {
    const positional: number[] = [];
    for (let k = 1; k < cmd.length; k++) {
      const v = cmd.exp(k);
      if (['-m', '-o', '-g', '-P', '-i', '-e', '-t', '--target-directory', '-S'].includes(v)) {
        if (v === '-t' || v === '--target-directory') {
          if (cmd.exp(k + 1).includes(AGENT_IMAGES_DIR)) positional.push(-1);
        }
        k++;
        continue;
      }
      if (!v.startsWith('-')) positional.push(k);
    }
    const explicitTarget = positional.includes(-1);
    const files = positional.filter((k) => k >= 0);
    const dest = explicitTarget ? undefined : files.pop();
    if (!explicitTarget && (dest === undefined || !cmd.exp(dest).includes(AGENT_IMAGES_DIR))) return;
    this.signal(cmd, (cmd.words[0] as Word).start);
    for (const k of files)
      this.tarballImports.push({
        tarball: cmd.exp(k),
        method: 'k3s agent images dir',
        word: cmd.words[k] as Word,
        segment: cmd.segment,
      });
  }

  private addImport(fact: ImageImportFact): void {
    const at = fact.at.kind === 'pos' ? `${fact.at.line}:${fact.at.column}` : '';
    const key = `import:${fact.image ?? ''}:${fact.tarball ?? ''}:${at}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.imports.push(fact);
  }

  /** Links imported tarballs to the images saved into them, and drops builds that are pushed to a registry. */
  finish(): void {
    for (const t of this.tarballImports) {
      const at = this.at(t.segment, valueOffset(t.word));
      const linked = this.saves.filter((s) => s.tarball === t.tarball || basename(s.tarball) === basename(t.tarball));
      if (linked.length === 0) {
        this.addImport({ tarball: t.tarball, method: t.method, at });
        continue;
      }
      for (const s of linked) {
        const seg = this.saveSegments.get(s) as ShellSegment;
        for (const w of s.images)
          this.addImport({ image: this.expand(w, seg), tarball: t.tarball, method: t.method, at });
      }
    }
    const kept = this.builds.filter((b) => !this.pushed.has(b.image)).sort(byPosition);
    this.builds.length = 0;
    this.builds.push(...kept);
    this.k3sSignals.sort(byAnchor);
    this.imports.sort(byPosition);
  }
}
