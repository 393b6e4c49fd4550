/**
 * The Action: read inputs, scan the workspace with the policy core, then tell the user — annotations,
 * job summary, PR comment, report files, outputs — and fail the step when findings reach `fail-on`.
 * Nothing from the checked-out repository is ever executed or imported: it is only read as data (charts and
 * overlays are rendered by `helm template` / `kubectl kustomize`, which evaluate templates, never run them).
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  applyBaseline,
  parseBaseline,
  loadConfig,
  loadPaths,
  affectedFiles,
  getReporter,
  allRules,
  addRendered,
  reportProjects,
  VERSION,
  renderMarkdown,
  scanVerdict,
  EXIT_INCOMPLETE,
  classifyPath,
} from '../policies/index.js';
import type { ReporterOptions, ScanReport, MarkdownOptions } from '../policies/index.js';
import { renderPaths, renderSummary } from '../render/index.js';
import { planAnnotations } from './annotations.js';
import { baseRefFor, readBaseProject } from './base.js';
import { changedFiles } from './changed-files.js';
import { COMMENT_MAX_BYTES, upsertComment } from './comment.js';
import type { GitHubApi } from './github-api.js';
import { expandPaths } from './globs.js';
import { InputError, isOutside, readInputs, type ActionInputs } from './inputs.js';
import { safeWriteFile } from './safe-write.js';
import { copyAtRef } from './base-ref.js';

/** The core's exit codes (see `scanVerdict`), under the names the Action has always exported. */
export { EXIT_FINDINGS, EXIT_OK } from '../policies/index.js';
export const EXIT_INPUT = EXIT_INCOMPLETE;

export async function run(): Promise<void> {
  try {
    const code = await runChecked();
    core.setOutput('exit-code', String(code));
  } catch (err) {
    try {
      core.setOutput('exit-code', String(EXIT_INPUT));
    } catch {
      // GITHUB_OUTPUT unusable (the very error being reported, perhaps): the failure below still shows.
    }
    if (err instanceof InputError) core.setFailed(`persistguard: ${err.message}`);
    else
      core.setFailed(
        `persistguard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
  }
}

async function runChecked(): Promise<number> {
  const inputs = readInputs((name) => core.getInput(name), process.env);
  await checkRealPaths(inputs);
  const ctx = github.context;
  // The token serves the comment and the changed-file list only: no client exists otherwise.
  const api: GitHubApi | undefined =
    inputs.token && (inputs.comment || inputs.onlyChanged) ? github.getOctokit(inputs.token) : undefined;

  if (inputs.configRef) await useTrustedRef(inputs);
  const { config, errors: configErrors } = await loadConfig({
    scanRoot: inputs.workspace,
    ...(inputs.config ? { explicitPath: inputs.config } : {}),
  });
  if (configErrors.length > 0) {
    // Annotations need repository-relative paths; the config loader reports absolute ones.
    const rel = (f: string): string =>
      path.isAbsolute(f) ? path.relative(inputs.workspace, f).split(path.sep).join('/') : f;
    for (const e of configErrors) {
      core.error(e.message, {
        title: 'persistguard: config',
        file: rel(e.file),
        ...(e.line ? { startLine: e.line, endLine: e.line } : {}),
        ...(e.line && e.column ? { startColumn: e.column } : {}),
      });
    }
    throw new InputError(
      `invalid configuration: ${configErrors.map((e) => `${rel(e.file)}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; ')}`,
    );
  }

  const { paths, unmatched } = await expandPaths(inputs.workspace, inputs.paths);
  for (const p of unmatched) core.warning(`paths: "${p}" matches no file in the workspace`, { title: 'persistguard' });
  const exclude = [...config.exclude, ...ownOutputs(inputs)];
  // Hosted runners have helm and kubectl on PATH: charts, overlays and GitOps releases are rendered and judged.
  const rendered =
    paths.length > 0
      ? await renderPaths(paths, {
          cwd: inputs.workspace,
          config: config.render,
          exclude,
          env: process.env,
          disabled: !inputs.render,
        })
      : undefined;
  const project =
    paths.length > 0
      ? await loadPaths(paths, {
          cwd: inputs.workspace,
          limits: config.limits,
          exclude,
          ...(rendered?.scan.skip ? { skip: rendered.scan.skip } : {}),
        })
      : undefined;
  const baseRef = baseRefFor(inputs.baseRef, ctx.eventName, ctx.payload as Record<string, unknown>);
  const base =
    project && baseRef
      ? await readBaseProject(baseRef, paths, { workspace: inputs.workspace, limits: config.limits, exclude })
      : undefined;
  let report: ScanReport = project
    ? reportProjects(project, rendered ? addRendered(project, rendered.scan, config) : [], {
        config,
        target: inputs.target,
        now: new Date(),
        ...(base ? { base } : {}),
      })
    : {
        tool: { name: 'persistguard', version: VERSION },
        findings: [],
        errors: [],
        summary: { files: 0, resources: 0, errors: 0, warnings: 0, suppressed: 0 },
      };

  let scope = '';
  if (inputs.onlyChanged && project) {
    const changed = await changedFiles(
      { eventName: ctx.eventName, payload: ctx.payload as Record<string, unknown>, repo: safeRepo() },
      api,
    );
    const deleted = changed.files ? changed.deleted.filter((f) => classifyPath(f).kind !== 'skip') : [];
    if (changed.files && deleted.length > 0) {
      // A deleted file's links are gone with it (the import script a manifest relied on): judge everything.
      scope = `The ${changed.source} deletes or renames ${deleted.length} scanned file${deleted.length === 1 ? '' : 's'} (${deleted.slice(0, 3).join(', ')}${deleted.length > 3 ? ', …' : ''}): findings in every file are reported, since what relied on ${deleted.length === 1 ? 'it' : 'them'} may be anywhere.`;
      core.notice(`only-changed: ${scope}`, { title: 'persistguard' });
    } else if (changed.files) {
      const keep = affectedFiles(project, changed.files);
      report = onlyFiles(report, keep);
      scope = `Only findings in the ${changed.files.length} file${changed.files.length === 1 ? '' : 's'} changed by the ${changed.source} (and ${keep.size - new Set(changed.files).size} that depend on them) are reported.`;
      core.info(`persistguard: ${scope}`);
    } else {
      core.notice(`only-changed: ${changed.reason}; reporting findings in every scanned file`, {
        title: 'persistguard',
      });
    }
  }

  if (inputs.baseline) report = await withBaseline(report, inputs.baseline);

  const rules = allRules.map((r) => r.meta);
  const opts: ReporterOptions = {
    rules,
    policyReportApi: inputs.policyReportApi,
    baseUri: pathToFileURL(inputs.workspace).href,
  };

  for (const a of planAnnotations(report)) core[a.level](a.message, a.properties);

  const written = await writeReports(report, inputs, opts);
  const linkTo = sourceLinker(ctx);
  const markdown = renderMarkdown(report, {
    ...opts,
    moreInfo: artifactHint(written.dir),
    ...(linkTo ? { linkTo } : {}),
  });
  try {
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile && (await lstat(summaryFile).catch(() => undefined))?.isSymbolicLink())
      throw new Error(`${summaryFile} is a symbolic link; refusing to write through it`);
    const renders = rendered ? renderSummary(rendered.records) : '';
    await core.summary
      .addRaw(
        `${
          scope
            ? `${markdown}
_${scope}_
`
            : markdown
        }${renders}`,
      )
      .write();
  } catch (err) {
    core.info(`persistguard: no job summary written (${err instanceof Error ? err.message : String(err)})`);
  }

  const active = report.findings.filter((f) => !f.suppressed && f.baseline !== 'existing');
  if (inputs.comment) await comment(report, active.length, ctx, api, { ...opts, ...(linkTo ? { linkTo } : {}) });

  const errors = active.filter((f) => f.severity === 'error').length;
  core.setOutput('findings', String(active.length));
  core.setOutput('errors', String(errors));
  core.setOutput('warnings', String(active.length - errors));
  core.setOutput('suppressed', String(report.findings.filter((f) => f.suppressed).length));
  core.setOutput('report-dir', written.dir);
  core.setOutput('sarif-file', written.sarif ?? '');

  // The same verdict as `persistguard scan`: an incomplete scan fails the step even with fail-on: never; named
  // paths that judged nothing (`exclude: ["**"]` in a pull request's config) fail unless fail-on is never.
  const verdict = scanVerdict(report, inputs.failOn, { nothingJudgedFails: inputs.pathsGiven });
  if (verdict.nothingJudged)
    core.notice(
      `0 files judged: the paths input (${inputs.paths.join(' ')}) matched no file that persistguard reads, after the config's exclude`,
      { title: 'persistguard' },
    );
  if (verdict.outcome === 'incomplete') core.setFailed(`persistguard: ${verdict.reason} (see the annotations)`);
  else if (verdict.outcome === 'fail') core.setFailed(`persistguard: ${verdict.reason}`);
  return verdict.exitCode;
}

/** Inputs are checked by path in readInputs; here symlinks are resolved too, so a link cannot lead out. */
async function checkRealPaths(inputs: ActionInputs): Promise<void> {
  const root = await realpath(inputs.workspace).catch(() => {
    throw new InputError(`the workspace ${inputs.workspace} does not exist; run actions/checkout first`);
  });
  const targets = [
    ...inputs.paths.map((p) => path.resolve(inputs.workspace, p)),
    inputs.config,
    inputs.baseline,
  ].filter((p): p is string => p !== undefined);
  for (const t of targets) {
    const real = await realpath(t).catch(() => undefined);
    if (real === undefined) continue; // missing files are reported by the loaders, globs by expandPaths
    const rel = path.relative(root, real);
    if (isOutside(rel))
      throw new InputError(
        `"${path.relative(inputs.workspace, t)}" resolves (through a symlink) to ${real}, outside the workspace`,
      );
  }
}

/** Keeps findings and read errors of the given files; the summary counts what is left. */
export function onlyFiles(report: ScanReport, files: Set<string>): ScanReport {
  const findings = report.findings.filter((f) => files.has(f.file));
  const active = findings.filter((f) => !f.suppressed);
  return {
    ...report,
    findings,
    errors: report.errors.filter((e) => files.has(e.file)),
    summary: {
      ...report.summary,
      errors: active.filter((f) => f.severity === 'error').length,
      warnings: active.filter((f) => f.severity === 'warning').length,
      suppressed: findings.length - active.length,
    },
  };
}

async function withBaseline(report: ScanReport, file: string): Promise<ScanReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // The first run on a branch has no baseline yet: everything counts as new, loudly.
    core.warning(`baseline: ${file} not found; every finding counts as new`, { title: 'persistguard' });
    return report;
  }
  let baseline: ScanReport;
  try {
    baseline = parseBaseline(text, file);
  } catch (err) {
    throw new InputError(`baseline: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = applyBaseline(report, baseline);
  core.info(
    `persistguard: baseline ${file}: ${result.newCount} new, ${result.existingCount} existing, ${result.fixedCount} fixed`,
  );
  return result.report;
}

async function writeReports(
  report: ScanReport,
  inputs: ActionInputs,
  opts: ReporterOptions,
): Promise<{ dir: string; sarif?: string }> {
  const roots = outputRoots(inputs);
  let sarif: string | undefined;
  for (const format of inputs.formats) {
    const reporter = await getReporter(format);
    if (!reporter) continue;
    const file = path.join(inputs.reportDir, reporter.fileName);
    await safeWriteFile(file, reporter.render(report, opts), roots, 'report-dir');
    if (format === 'sarif') sarif = file;
  }
  if (inputs.sarifFile) {
    const reporter = await getReporter('sarif');
    if (reporter) {
      await safeWriteFile(inputs.sarifFile, reporter.render(report, opts), roots, 'sarif-file');
      sarif = inputs.sarifFile;
    }
  }
  return { dir: inputs.reportDir, ...(sarif ? { sarif } : {}) };
}

async function comment(
  report: ScanReport,
  active: number,
  ctx: typeof github.context,
  api: GitHubApi | undefined,
  opts: MarkdownOptions,
): Promise<void> {
  if (ctx.eventName !== 'pull_request' && ctx.eventName !== 'pull_request_target') {
    core.info(`persistguard: no pull request comment on a ${ctx.eventName} event`);
    return;
  }
  const number = (ctx.payload.pull_request as { number?: number } | undefined)?.number;
  if (!api || typeof number !== 'number') {
    core.notice('comment: no github-token or pull request number; the report is in the job summary', {
      title: 'persistguard',
    });
    return;
  }
  const runUrl = ctx.runId
    ? `${ctx.serverUrl}/${ctx.repo.owner}/${ctx.repo.repo}/actions/runs/${ctx.runId}`
    : undefined;
  const body = renderMarkdown(report, {
    ...opts,
    maxBytes: COMMENT_MAX_BYTES,
    ...(runUrl ? { moreInfo: `Full report: ${runUrl}` } : {}),
  });
  const result = await upsertComment(
    api,
    { ...ctx.repo, issue_number: number },
    runUrl ? `${body}\n[Workflow run](${runUrl})\n` : body,
    { createIfMissing: active > 0 || report.errors.length > 0 },
  );
  if (result.action === 'skipped') core.notice(`comment: ${result.reason}`, { title: 'persistguard' });
  else core.info(`persistguard: ${result.action} pull request comment ${result.url ?? result.id}`);
}

/** Links to the file at the commit being checked (the PR head for pull requests), when it is known. */
function sourceLinker(ctx: typeof github.context): MarkdownOptions['linkTo'] {
  const head = (ctx.payload.pull_request as { head?: { sha?: string } } | undefined)?.head?.sha ?? ctx.sha;
  const repo = safeRepo();
  if (!head || !repo.owner || !ctx.serverUrl) return undefined;
  const base = `${ctx.serverUrl}/${repo.owner}/${repo.repo}/blob/${head}/`;
  return (file, line) =>
    file.startsWith('/') || file === '..' || file.startsWith('../')
      ? undefined
      : `${base}${file.split('/').map(encodeURIComponent).join('/')}#L${line}`;
}

function safeRepo(): { owner: string; repo: string } {
  try {
    return github.context.repo;
  } catch {
    return { owner: '', repo: '' }; // GITHUB_REPOSITORY unset (local runs): only the API calls need it
  }
}

/** Where report files may go: the workspace and the runner's temp folder. */
function outputRoots(inputs: ActionInputs): string[] {
  return [inputs.workspace, ...(process.env.RUNNER_TEMP ? [process.env.RUNNER_TEMP] : [])];
}

/** With `config-ref`, the config and the baseline come from that ref, never from the checked-out head. */
async function useTrustedRef(inputs: ActionInputs): Promise<void> {
  const ref = inputs.configRef as string;
  const temp = path.join(process.env.RUNNER_TEMP || path.join(inputs.workspace, '..'), 'persistguard-config-ref');
  const rel = (abs: string): string => path.relative(inputs.workspace, abs);
  let config: string | undefined;
  for (const name of inputs.config ? [rel(inputs.config)] : ['.persistguard.yaml', '.persistguard.yml']) {
    config = await copyAtRef(inputs.workspace, ref, name, temp, 'persistguard.yaml');
    if (config) break;
  }
  if (config) inputs.config = config;
  else {
    // Not the head's config either: a pull request must not be able to add one that loosens the checks.
    inputs.config = path.join(temp, 'defaults.yaml');
    await safeWriteFile(inputs.config, '{}\n', outputRoots(inputs).concat(temp), 'config-ref');
    core.notice(`config-ref: ${ref} has no persistguard config; using the defaults`, { title: 'persistguard' });
  }
  if (inputs.baseline) {
    const baseline = await copyAtRef(inputs.workspace, ref, rel(inputs.baseline), temp, 'baseline.json');
    inputs.baseline = baseline ?? path.join(temp, 'no-baseline.json');
  }
  core.info(`persistguard: config${inputs.baseline ? ' and baseline' : ''} read from ${ref}`);
}

/** Report files written into the workspace (by this or an earlier run) are not scanned as input. */
function ownOutputs(inputs: ActionInputs): string[] {
  const out: string[] = [];
  for (const p of [inputs.reportDir, inputs.sarifFile]) {
    if (!p) continue;
    const rel = path.relative(inputs.workspace, p).split(path.sep).join('/');
    if (rel && !isOutside(rel)) out.push(rel, `${rel}/**`);
  }
  return out;
}

function artifactHint(dir: string): string {
  return `Reports were written to ${dir}; upload that folder with actions/upload-artifact to keep them.`;
}
