/**
 * Kustomize: leaf overlays (kustomizations no other kustomization in the tree uses) are built with
 * `kubectl kustomize` (or `kustomize build`), load restrictions on, no exec or alpha plugins, `--enable-helm`
 * only when the config says so. A base is judged through the overlays that use it, alone only when unused.
 *
 * The build goes through a throw-away kustomization that includes the overlay and asks for origin
 * annotations (`buildMetadata: [originAnnotations]`), so each rendered resource names its source file.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import type { RenderedDocument } from '../policies/index.js';
import { sourceText, type RenderContext } from './context.js';
import { runTool } from './run.js';
import { displayOf } from './tree.js';

export interface Kustomization {
  /** Real absolute path of the kustomization file. */
  file: string;
  dir: string;
  isComponent: boolean;
  /** Folders of kustomizations this one includes (resources, bases, components). */
  children: string[];
  /** Plain resource files it includes. */
  resourceFiles: string[];
  /** Patch files (patches, patchesStrategicMerge, patchesJson6902). */
  patchFiles: string[];
  /** Remote references (URLs, git repositories). */
  remote: string[];
  /** Local references that are not on disk (a partial copy of a repository). */
  missing: string[];
  usesHelm: boolean;
  error?: string;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function kustomizationIn(dir: string): string | undefined {
  for (const n of KUSTOMIZATION_NAMES) {
    const f = path.join(dir, n);
    if (existsSync(f)) return f;
  }
  return undefined;
}

const isRemote = (ref: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
  /^(?:github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) ||
  ref.startsWith('git@');

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function readKustomization(file: string): Kustomization {
  const dir = path.dirname(file);
  const k: Kustomization = {
    file,
    dir,
    isComponent: false,
    children: [],
    resourceFiles: [],
    patchFiles: [],
    remote: [],
    missing: [],
    usesHelm: false,
  };
  let raw: Record<string, unknown>;
  try {
    raw = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
  } catch (e) {
    k.error = (e as Error).message;
    return k;
  }
  k.isComponent = raw.kind === 'Component';
  k.usesHelm = Array.isArray(raw.helmCharts) && raw.helmCharts.length > 0;
  const refs = [...strings(raw.resources), ...strings(raw.bases), ...strings(raw.components)];
  for (const ref of refs) {
    if (isRemote(ref)) {
      k.remote.push(ref);
      continue;
    }
    const abs = path.resolve(dir, ref);
    try {
      if (statSync(abs).isDirectory()) k.children.push(abs);
      else k.resourceFiles.push(abs);
    } catch {
      k.missing.push(ref);
    }
  }
  const patchPaths: string[] = [];
  for (const p of Array.isArray(raw.patches) ? raw.patches : []) {
    if (p && typeof (p as { path?: unknown }).path === 'string') patchPaths.push((p as { path: string }).path);
  }
  for (const p of Array.isArray(raw.patchesJson6902) ? raw.patchesJson6902 : []) {
    if (p && typeof (p as { path?: unknown }).path === 'string') patchPaths.push((p as { path: string }).path);
  }
  for (const p of strings(raw.patchesStrategicMerge)) if (!p.includes('\n')) patchPaths.push(p);
  k.patchFiles = patchPaths.map((p) => path.resolve(dir, p)).filter((p) => existsSync(p));
  return k;
}

/** Leaf overlays: kustomizations that no other kustomization of the tree includes (components excluded). */
export function leafOverlays(all: readonly Kustomization[]): Kustomization[] {
  const used = new Set(all.flatMap((k) => k.children));
  return all.filter((k) => !k.isComponent && !used.has(k.dir));
}

/** Everything an overlay reads, transitively: kustomizations, resource files, patches, remote refs. */
export function closure(
  root: Kustomization,
  byDir: ReadonlyMap<string, Kustomization>,
): {
  kustomizations: Kustomization[];
  files: Set<string>;
  patches: string[];
  remote: string[];
  missing: string[];
  usesHelm: boolean;
} {
  const seen = new Set<string>();
  const ks: Kustomization[] = [];
  const stack = [root.dir];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const k = byDir.get(dir) ?? (kustomizationIn(dir) ? readKustomization(kustomizationIn(dir) as string) : undefined);
    if (!k) continue;
    ks.push(k);
    stack.push(...k.children);
  }
  const files = new Set<string>();
  for (const k of ks) {
    files.add(k.file);
    for (const f of k.resourceFiles) files.add(f);
    for (const f of k.patchFiles) files.add(f);
  }
  return {
    kustomizations: ks,
    files,
    patches: ks.flatMap((k) => k.patchFiles),
    remote: ks.flatMap((k) => k.remote),
    missing: ks.flatMap((k) => k.missing),
    usesHelm: ks.some((k) => k.usesHelm),
  };
}

const ORIGIN = 'config.kubernetes.io/origin';

/** Reads and removes the origin annotation kustomize added; returns the document's YAML without it. */
function takeOrigin(docText: string): { text: string; originPath?: string } | undefined {
  const [doc] = parseAllDocuments(docText);
  if (!doc || !('contents' in doc) || doc.errors.length > 0) return undefined;
  const obj = doc.toJS() as { metadata?: { annotations?: Record<string, string> } } | null;
  if (!obj || typeof obj !== 'object') return undefined;
  const ann = obj.metadata?.annotations;
  const origin = ann?.[ORIGIN];
  if (origin === undefined) return { text: docText };
  delete ann![ORIGIN];
  if (Object.keys(ann!).length === 0) delete obj.metadata!.annotations;
  let originPath: string | undefined;
  try {
    const o = parseYaml(origin) as { path?: unknown } | null;
    if (o && typeof o.path === 'string') originPath = o.path;
  } catch {
    /* keep the document; it will point at the overlay */
  }
  return { text: stringify(obj), ...(originPath !== undefined ? { originPath } : {}) };
}

function splitStream(text: string): string[] {
  return text.split(/^---\s*$/m).filter((d) => d.trim() !== '');
}

function kustomizeCommand(
  ctx: RenderContext,
  dir: string,
  enableHelm: boolean,
): { bin: string; args: string[] } | undefined {
  const helm = enableHelm ? ['--enable-helm', ...(ctx.helm ? ['--helm-command', ctx.helm] : [])] : [];
  const flags = ['--load-restrictor', 'LoadRestrictionsRootOnly', ...helm];
  if (ctx.kubectl) return { bin: ctx.kubectl, args: ['kustomize', dir, ...flags] };
  if (ctx.kustomize) return { bin: ctx.kustomize, args: ['build', dir, ...flags] };
  return undefined;
}

/** Renders one leaf overlay; results go to `ctx.out`. Returns true when it rendered. */
export async function renderOverlay(
  ctx: RenderContext,
  overlay: Kustomization,
  byDir: ReadonlyMap<string, Kustomization>,
): Promise<boolean> {
  const unit = displayOf(ctx.cwd, overlay.dir);
  const producedBy = `kustomize overlay ${unit}`;
  const c = closure(overlay, byDir);
  const notRendered = (why: string, advice: string): false => {
    ctx.out.notes.push({
      file: unit,
      message: `${producedBy}: not rendered, ${why}: its files are judged one by one. ${advice}`,
    });
    ctx.out.records.push({ unit, kind: 'kustomize', producedBy, status: 'not rendered', documents: 0, reason: why });
    return false;
  };
  const manual = `Or render it yourself: \`kubectl kustomize ${unit} | persistguard scan -\``;
  if (ctx.disabled) return notRendered('rendering is switched off (--no-render or render.enabled: false)', manual);
  const enableHelm = ctx.config.kustomizeEnableHelm === true;
  if (c.usesHelm && !enableHelm)
    return notRendered('it inflates Helm charts (helmCharts:)', 'Set render.kustomizeEnableHelm: true to render it.');
  if (c.remote.length > 0 && ctx.config.allowNetwork !== true)
    return notRendered(
      `it uses remote resources (${c.remote.slice(0, 2).join(', ')})`,
      'Set render.allowNetwork: true to let kustomize fetch them.',
    );
  if (c.missing.length > 0)
    return notRendered(
      `it refers to ${c.missing.slice(0, 2).join(', ')}, which is not on disk`,
      'Scan the whole repository, or fix the reference.',
    );
  const wrapper = mkdtempSync(path.join(ctx.tmp, 'kz-'));
  const rel = path.relative(wrapper, overlay.dir).split(path.sep).join('/');
  writeFileSync(
    path.join(wrapper, 'kustomization.yaml'),
    `resources:\n  - ${JSON.stringify(rel)}\nbuildMetadata: [originAnnotations]\n`,
  );
  const cmd = kustomizeCommand(ctx, wrapper, enableHelm);
  if (!cmd)
    return notRendered('`kubectl` (or `kustomize`) was not found on PATH (install it, or set render.kubectl)', manual);
  const started = Date.now();
  let r = await runTool(cmd.bin, cmd.args, { cwd: ctx.cwd, env: ctx.env, ...ctx.limits });
  let withOrigins = true;
  if (!r.ok) {
    // Build the overlay itself: its own error names the overlay's files, not the wrapper.
    const direct = kustomizeCommand(ctx, overlay.dir, enableHelm)!;
    r = await runTool(direct.bin, direct.args, { cwd: ctx.cwd, env: ctx.env, ...ctx.limits });
    withOrigins = false;
    if (!r.ok) {
      ctx.out.errors.push({ file: unit, message: `${producedBy}: kustomize build failed: ${r.reason}` });
      ctx.out.records.push({ unit, kind: 'kustomize', producedBy, status: 'failed', documents: 0, reason: r.reason });
      return false;
    }
  }
  const patches = c.patches.map((p) => ({ file: displayOf(ctx.cwd, p), text: sourceText(ctx, p) ?? '' }));
  const documents: RenderedDocument[] = [];
  for (const part of splitStream(r.stdout)) {
    const taken = withOrigins ? takeOrigin(part) : undefined;
    const abs = taken?.originPath !== undefined ? path.resolve(wrapper, taken.originPath) : overlay.file;
    const src = existsSync(abs) ? abs : overlay.file;
    const text = sourceText(ctx, src);
    documents.push({
      file: displayOf(ctx.cwd, src),
      text: taken?.text ?? part,
      ...(text !== undefined ? { sourceText: text } : {}),
      ...(patches.length > 0 ? { patches } : {}),
    });
  }
  for (const f of c.files) ctx.out.ownedFiles.add(f);
  ctx.out.sets.push({ unit, producedBy, documents });
  ctx.out.records.push({
    unit,
    kind: 'kustomize',
    producedBy,
    status: 'rendered',
    documents: documents.length,
    ms: Date.now() - started,
  });
  return true;
}
