/**
 * GitOps releases whose source is a path in this repository: a Flux `HelmRelease` (chart from a
 * `GitRepository`), a Flux `Kustomization`, an Argo CD `Application` (`spec.source.path`). They name the
 * values or the overlay the cluster really gets; remote sources (Helm repositories, OCI) get a note.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { RenderContext } from './context.js';
import type { ValuesSet } from './helm.js';
import { displayOf } from './tree.js';

export type GitopsTarget =
  | { kind: 'chart'; dir: string; set: ValuesSet }
  /** A folder the release deploys: rendered as an overlay when it holds a kustomization. */
  | { kind: 'folder'; dir: string };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Finds the folder a repository-relative path names, trying each scan root (the repository root is one). */
function localDir(roots: readonly string[], fileDir: string, p: string): string | undefined {
  // Repository-relative paths: try the scan roots, then each folder from the release's file upwards.
  const ancestors: string[] = [];
  for (let d = fileDir; ; d = path.dirname(d)) {
    ancestors.push(d);
    if (roots.includes(d) || path.dirname(d) === d) break;
  }
  for (const base of [...roots, ...ancestors.reverse()]) {
    const abs = path.resolve(base, p.replace(/^\.\//, ''));
    try {
      if (statSync(abs).isDirectory()) return abs;
    } catch {
      /* next */
    }
  }
  return undefined;
}

let written = 0;

/** A fresh file in the render's private folder (two releases may share a name). */
function tempValuesFile(ctx: RenderContext, name: string): string {
  return path.join(ctx.tmp, `values-${++written}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`);
}

function inlineValues(ctx: RenderContext, values: unknown, name: string): string | undefined {
  if (!obj(values) || Object.keys(values as Obj).length === 0) return undefined;
  const f = tempValuesFile(ctx, name);
  writeFileSync(f, stringify(values));
  return f;
}

/** Reads every GitOps release of one file; remote ones become notes. */
export function gitopsTargets(ctx: RenderContext, file: string, roots: readonly string[]): GitopsTarget[] {
  const out: GitopsTarget[] = [];
  let docs;
  try {
    docs = parseAllDocuments(readFileSync(file, 'utf8'));
  } catch {
    return out;
  }
  const display = displayOf(ctx.cwd, file);
  const note = (message: string): void => void ctx.out.notes.push({ file: display, message });
  const fileText = readFileSync(file, 'utf8');
  for (const [docIndex, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (!('contents' in d) || d.errors.length > 0) continue;
    const o = obj(d.toJS());
    if (!o) continue;
    const api = str(o.apiVersion) ?? '';
    const kind = str(o.kind);
    const meta = obj(o.metadata) ?? {};
    const name = str(meta.name) ?? 'release';
    const spec = obj(o.spec) ?? {};
    if (kind === 'HelmRelease' && api.startsWith('helm.toolkit.fluxcd.io/')) {
      const chartSpec = obj(obj(spec.chart)?.spec);
      const chartRef = obj(spec.chartRef);
      const sourceKind = str(obj(chartSpec?.sourceRef)?.kind);
      const chart = str(chartSpec?.chart);
      // No chart named: a Kustomize patch fragment (one environment's values); its overlay says the rest.
      if (!chart && !chartRef) continue;
      if (!chartSpec || !chart || (sourceKind !== 'GitRepository' && sourceKind !== 'Bucket')) {
        const ref = chartRef ?? obj(chartSpec?.sourceRef) ?? {};
        const from = `${str(ref.kind) ?? 'a source'} ${str(ref.name) ?? ''}`.trim();
        note(`HelmRelease ${name}: its chart comes from ${from}, not from this repository: not rendered`);
        continue;
      }
      const dir = localDir(roots, path.dirname(file), chart);
      if (!dir || !existsSync(path.join(dir, 'Chart.yaml'))) {
        note(`HelmRelease ${name}: chart path ${chart} is not a chart in this repository: not rendered`);
        continue;
      }
      if (Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0)
        note(
          `HelmRelease ${name}: valuesFrom (ConfigMaps/Secrets in the cluster) cannot be read here: rendered with its inline values only`,
        );
      const files: string[] = [];
      for (const vf of Array.isArray(chartSpec.valuesFiles) ? chartSpec.valuesFiles : []) {
        if (typeof vf === 'string') files.push(path.resolve(dir, path.relative(chart, vf) || vf));
      }
      const inline = inlineValues(ctx, spec.values, name);
      if (inline) files.push(inline);
      out.push({
        kind: 'chart',
        dir,
        set: {
          label: `HelmRelease ${name} in ${display}`,
          files,
          ...(inline ? { inline: { file: display, text: fileText, doc: docIndex, prefix: ['spec', 'values'] } } : {}),
          releaseName: str(spec.releaseName) ?? name,
          ...((str(spec.targetNamespace) ?? str(meta.namespace))
            ? { namespace: (str(spec.targetNamespace) ?? str(meta.namespace))! }
            : {}),
        },
      });
    } else if (kind === 'Kustomization' && api.startsWith('kustomize.toolkit.fluxcd.io/')) {
      const sourceKind = str(obj(spec.sourceRef)?.kind);
      const p = str(spec.path) ?? './';
      if (sourceKind !== undefined && sourceKind !== 'GitRepository' && sourceKind !== 'Bucket') {
        note(`Flux Kustomization ${name}: its source is ${sourceKind}, not this repository: not rendered`);
        continue;
      }
      const dir = localDir(roots, path.dirname(file), p);
      if (dir) out.push({ kind: 'folder', dir });
    } else if (kind === 'Application' && api.startsWith('argoproj.io/')) {
      const sources = [obj(spec.source), ...(Array.isArray(spec.sources) ? spec.sources.map(obj) : [])].filter(
        (s): s is Obj => s !== undefined,
      );
      for (const s of sources) {
        const p = str(s.path);
        if (str(s.chart) || !p) {
          if (str(s.chart))
            note(
              `Argo CD Application ${name}: chart ${str(s.chart)} comes from ${str(s.repoURL) ?? 'a Helm repository'}: not rendered`,
            );
          continue;
        }
        const dir = localDir(roots, path.dirname(file), p);
        if (!dir) {
          note(
            `Argo CD Application ${name}: path ${p} is not in this repository (${str(s.repoURL) ?? 'remote'}): not rendered`,
          );
          continue;
        }
        if (existsSync(path.join(dir, 'Chart.yaml'))) {
          const helm = obj(s.helm) ?? {};
          const files = (Array.isArray(helm.valueFiles) ? helm.valueFiles : [])
            .filter((v): v is string => typeof v === 'string' && !/^[a-z]+:\/\//.test(v))
            .map((v) => path.resolve(dir, v));
          const inlineObj = obj(helm.valuesObject) ?? (typeof helm.values === 'string' ? undefined : obj(helm.values));
          let inline = inlineValues(ctx, inlineObj, name);
          if (!inline && typeof helm.values === 'string' && helm.values.trim() !== '') {
            inline = tempValuesFile(ctx, name);
            writeFileSync(inline, helm.values);
          }
          if (inline) files.push(inline);
          const dest = obj(spec.destination);
          out.push({
            kind: 'chart',
            dir,
            set: {
              label: `Application ${name} in ${display}`,
              files,
              ...(inlineObj && inline
                ? {
                    inline: {
                      file: display,
                      text: fileText,
                      doc: docIndex,
                      prefix: ['spec', 'source', 'helm', helm.valuesObject ? 'valuesObject' : 'values'],
                    },
                  }
                : {}),
              releaseName: str(helm.releaseName) ?? name,
              ...(str(dest?.namespace) ? { namespace: str(dest?.namespace)! } : {}),
            },
          });
        } else out.push({ kind: 'folder', dir });
      }
    }
  }
  return out;
}
