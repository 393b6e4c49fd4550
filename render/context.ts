/** What every renderer shares: the binaries found, the bounds, and where results are collected. */
import { existsSync, readFileSync } from 'node:fs';
import type { LoadError, LoadNote, RenderConfig, RenderedSet } from '../policies/index.js';
import type { RunLimits } from './run.js';

/** One line of the render summary (the Action's job summary lists them). */
export interface RenderRecord {
  /** Chart or overlay folder (display path). */
  unit: string;
  kind: 'helm' | 'kustomize';
  /** How reports name the render (`helm chart deploy/db (default values)`). */
  producedBy: string;
  status: 'rendered' | 'failed' | 'not rendered';
  documents: number;
  /** Why it failed or was not rendered. */
  reason?: string;
  /** Wall time of the render process(es), for bench/render. */
  ms?: number;
}

export interface RenderOutput {
  sets: RenderedSet[];
  notes: LoadNote[];
  errors: LoadError[];
  records: RenderRecord[];
  /** Real absolute paths of files judged through a render, not as plain files. */
  ownedFiles: Set<string>;
  /** Real absolute folders whose files are all judged through a render (chart templates, vendored subcharts). */
  ownedDirs: string[];
  /** Chart folders: their YAML/JSON outside `crds/` is chart input (values, tests), not manifests. */
  ownedChartDirs: string[];
}

export interface RenderContext {
  cwd: string;
  config: RenderConfig;
  env: NodeJS.ProcessEnv;
  limits: RunLimits;
  /** Private temporary folder for wrapper kustomizations and inline values. */
  tmp: string;
  /** Resolved binaries; undefined when not found (or rendering is off). */
  helm?: string;
  kubectl?: string;
  kustomize?: string;
  /** Rendering switched off (`--no-render`, `render.enabled: false`): only notes are produced. */
  disabled: boolean;
  out: RenderOutput;
  /** Source texts read so far, by display path. */
  texts: Map<string, string | undefined>;
}

export function emptyOutput(): RenderOutput {
  return { sets: [], notes: [], errors: [], records: [], ownedFiles: new Set(), ownedDirs: [], ownedChartDirs: [] };
}

/** Reads a source file once per scan (templates are mapped back to for every finding). */
export function sourceText(ctx: RenderContext, abs: string): string | undefined {
  if (ctx.texts.has(abs)) return ctx.texts.get(abs);
  let text: string | undefined;
  try {
    text = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
  } catch {
    text = undefined;
  }
  ctx.texts.set(abs, text);
  return text;
}
