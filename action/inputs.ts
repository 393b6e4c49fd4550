/**
 * The Action's inputs, read and checked before anything runs. Every mistake is an {@link InputError}
 * whose message names the input, so the step fails with one clear line instead of a stack trace.
 */
import path from 'node:path';
import { FAIL_ON, FILE_FORMATS, TARGETS, unsafeGlobReason } from '../policies/index.js';
import type { FailOn, FileFormat, PolicyReportApi, Target } from '../policies/index.js';

export class InputError extends Error {}

/** Every report the Action writes by default: the core's file formats. */
export const ALL_FORMATS = FILE_FORMATS;
export type ReportFormat = FileFormat;

export interface ActionInputs {
  workspace: string;
  /** Scan targets as given (relative to the workspace, already checked to stay inside it). */
  paths: string[];
  /** The `paths` input named something (rather than the default, the whole workspace). */
  pathsGiven: boolean;
  config?: string;
  failOn: FailOn;
  formats: ReportFormat[];
  policyReportApi: PolicyReportApi;
  reportDir: string;
  sarifFile?: string;
  comment: boolean;
  onlyChanged: boolean;
  baseline?: string;
  /** `base-ref` as given; empty means the pull request's base commit (resolved in main with the event). */
  baseRef?: string;
  token: string;
  target?: Target;
  /**
   * A git ref (e.g. the pull request's base SHA) to read the config and the baseline from, instead of the
   * checked-out head: a pull request cannot then loosen its own checks.
   */
  configRef?: string;
  /** Render Helm charts, Kustomize overlays and GitOps releases (input `render`, default true). */
  render: boolean;
}

export type GetInput = (name: string) => string;

export function readInputs(getInput: GetInput, env: NodeJS.ProcessEnv): ActionInputs {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || '.');
  const get = (name: string): string => getInput(name).trim();

  const paths = splitList(get('paths'));
  for (const p of paths) {
    if (p === '-')
      throw new InputError('paths: "-" (standard input) is not available in the Action; give files, folders or globs');
    insideWorkspace(workspace, globBase(p), 'paths');
    const unsafe = isGlob(p) ? unsafeGlobReason(p) : undefined;
    if (unsafe) throw new InputError(`paths: ${unsafe}`);
  }

  const failOn = oneOf('fail-on', get('fail-on') || 'error', FAIL_ON);

  const formats: ReportFormat[] = [];
  let policyReportApi: ActionInputs['policyReportApi'] = 'wgpolicyk8s';
  const formatList = splitList(get('format'));
  for (const raw of formatList.length > 0 ? formatList : [...ALL_FORMATS]) {
    const f = raw.toLowerCase();
    // `policyreport:openreports` asks for the openreports.io flavour.
    if (f === 'policyreport:openreports' || f === 'openreports') {
      policyReportApi = 'openreports';
      if (!formats.includes('policyreport')) formats.push('policyreport');
      continue;
    }
    if (!(ALL_FORMATS as readonly string[]).includes(f)) {
      throw new InputError(
        `format: unknown format "${raw}"; choose from ${ALL_FORMATS.join(', ')} (or policyreport:openreports)`,
      );
    }
    if (!formats.includes(f as ReportFormat)) formats.push(f as ReportFormat);
  }

  const targetInput = get('target');
  const target = targetInput ? oneOf('target', targetInput, TARGETS) : undefined;

  // Reports go outside the checkout by default, so they are never scanned or committed by later steps.
  const defaultReportDir = env.RUNNER_TEMP
    ? path.join(env.RUNNER_TEMP, 'persistguard')
    : path.join(workspace, 'persistguard-report');
  const reportDirInput = get('report-dir');
  const reportDir = reportDirInput ? outputPath(workspace, env, reportDirInput, 'report-dir') : defaultReportDir;
  const sarifInput = get('sarif-file');
  const config = get('config');
  const baseline = get('baseline');
  const baseRef = get('base-ref');
  if (baseRef.startsWith('-')) throw new InputError(`base-ref: "${baseRef}" is not a git ref`);
  const configRef = get('config-ref');
  if (configRef && !/^[\w./@{}~^-]+$/.test(configRef))
    throw new InputError(`config-ref: "${configRef}" is not a git ref or commit SHA`);
  if (configRef.startsWith('-')) throw new InputError(`config-ref: "${configRef}" must not start with "-"`);

  return {
    workspace,
    paths: paths.length > 0 ? paths : ['.'],
    pathsGiven: paths.length > 0,
    ...(config ? { config: insideWorkspace(workspace, config, 'config') } : {}),
    failOn,
    formats,
    policyReportApi,
    reportDir,
    ...(sarifInput ? { sarifFile: outputPath(workspace, env, sarifInput, 'sarif-file') } : {}),
    comment: bool(get('comment'), 'comment', false),
    onlyChanged: bool(get('only-changed'), 'only-changed', false),
    ...(baseline ? { baseline: insideWorkspace(workspace, baseline, 'baseline') } : {}),
    ...(baseRef ? { baseRef } : {}),
    token: get('github-token'),
    ...(target ? { target } : {}),
    ...(configRef ? { configRef } : {}),
    render: bool(get('render'), 'render', true),
  };
}

/** One of a fixed list, or an InputError naming the input and the choices (`expected a, b or c`). */
function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const choices = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1) ?? ''}`;
  throw new InputError(`${input}: expected ${choices}, got "${value}"`);
}

/** Newline- or space-separated; `#` starts a comment line (as in multi-line YAML inputs). */
export function splitList(value: string): string[] {
  return value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .flatMap((l) => l.split(/\s+/))
    .filter(Boolean);
}

/**
 * Whether a `path.relative` result leaves its base: `..` or `../…`, or another drive. A folder whose name
 * merely starts with two dots (`..k8s`) is inside.
 */
export function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || rel.startsWith('../') || path.isAbsolute(rel);
}

/** Resolves `p` against the workspace and rejects anything that ends up outside it. */
export function insideWorkspace(workspace: string, p: string, input: string): string {
  const abs = path.resolve(workspace, p);
  const rel = path.relative(workspace, abs);
  if (isOutside(rel)) {
    throw new InputError(
      `${input}: "${p}" is outside the workspace (${workspace}); only files in the checked-out repository can be scanned`,
    );
  }
  return abs;
}

/** Report files may go to the workspace or the runner's temp directory, nowhere else. */
function outputPath(workspace: string, env: NodeJS.ProcessEnv, p: string, input: string): string {
  const abs = path.resolve(workspace, p);
  if (env.RUNNER_TEMP) {
    const rel = path.relative(path.resolve(env.RUNNER_TEMP), abs);
    if (!isOutside(rel)) return abs;
  }
  try {
    return insideWorkspace(workspace, p, input);
  } catch {
    throw new InputError(`${input}: "${p}" is outside the workspace${env.RUNNER_TEMP ? ' and RUNNER_TEMP' : ''}`);
  }
}

/** The literal directory a glob starts from (`k8s/**\/*.yaml` → `k8s`), for the workspace check. */
export function globBase(p: string): string {
  const parts = p.split('/');
  const i = parts.findIndex((s) => /[*?[\]{}!]/.test(s));
  return i < 0 ? p : parts.slice(0, i).join('/') || '.';
}

export function isGlob(p: string): boolean {
  return globBase(p) !== p;
}

function bool(value: string, input: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new InputError(`${input}: expected true or false, got "${value}"`);
}
