import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT_OK, EXIT_USAGE, UsageError, signalExitCode } from '../io.js';
import type { CliIO, Command, StopSignal } from '../io.js';
import { oneOf, parseFlags } from '../args.js';
import { OutputError, outputSpecs, writeAtomically } from '../outputs.js';
import {
  allRules,
  escapeControls,
  FAIL_ON,
  FORMATS,
  getReporter,
  loadConfig,
  POLICY_REPORT_APIS,
  scanPaths,
  scanVerdict,
  TARGETS,
  unsafeGlobReason,
} from '../../policies/index.js';
import type { FailOn, Reporter, ReportError, ScanReport } from '../../policies/index.js';
import { BaseRefError, loadBaseProject } from '../git/base-tree.js';
import { renderPaths } from '../../render/index.js';

export const SCAN_USAGE = `Usage: persistguard scan [PATH...|-] [options]

Scans Kubernetes manifests, docker-compose files, scripts and source files for data-loss risks.
PATH is a file or folder (default: .), or a named pipe such as <(helm template .); '-' reads rendered
manifests from stdin (helm template . | persistguard scan -).

Options:
  -c, --config FILE           config file (default: nearest .persistguard.yaml upward from the first PATH)
  -f, --format FORMAT[=FILE]  ${FORMATS.join('|')} (default: text); repeat for several reports
  -o, --output FILE           write the report of the --format before it to FILE instead of stdout
  --fail-on LEVEL             ${FAIL_ON.join('|')}: exit 1 when a finding reaches LEVEL (default: error)
  --target TARGET             ${TARGETS.join('|')}: overrides the config's target
  --base REF                  also judge what changes against git REF (e.g. origin/main): data left
                              behind by a new or renamed claim, volume or project (read with git, nothing
                              is checked out)
  --exclude GLOB              skip files and folders matching GLOB (repeatable; adds to the config's exclude)
  -q, --quiet                 print findings and errors only: no summary line, no "wrote" messages
  --no-color                  no ANSI colours (also: NO_COLOR=1, TERM=dumb)
  --policy-report-api API     ${POLICY_REPORT_APIS.join('|')}, for --format policyreport (default: wgpolicyk8s)
  --no-render                 do not render Helm charts, Kustomize overlays and GitOps releases (one note each)
  -h, --help                  show this help

Several reports in one run:
  persistguard scan . -f text -f sarif=persistguard.sarif -f json -o persistguard.json

Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 usage, config or input errors
(findings are still reported; --fail-on never does not hide an incomplete scan), 130/143 interrupted
(SIGINT/SIGTERM; no report is written).
`;

function parse(args: string[]) {
  return parseFlags(
    {
      args,
      allowPositionals: true,
      tokens: true,
      options: {
        config: { type: 'string', short: 'c' },
        format: { type: 'string', short: 'f', multiple: true },
        output: { type: 'string', short: 'o', multiple: true },
        'fail-on': { type: 'string' },
        target: { type: 'string' },
        base: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        quiet: { type: 'boolean', short: 'q' },
        'no-color': { type: 'boolean' },
        'policy-report-api': { type: 'string' },
        'no-render': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    SCAN_USAGE,
  );
}

/** One stderr line; names from the scanned files are made inert (C7) like in every report. */
export function formatReportError(e: ReportError): string {
  const pos = e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : '';
  return escapeControls(`${e.file}${pos}: ${e.message}`);
}

/** Colour only for a person at a terminal: not into files, not when NO_COLOR is set (no-color.org), not on TERM=dumb. */
export function wantsColour(
  noColorFlag: boolean,
  toFile: boolean,
  isTTY: boolean | undefined,
  env: NodeJS.ProcessEnv,
): boolean {
  if (noColorFlag || toFile) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

/** Text report width: the terminal's, else COLUMNS, else 100 (CI logs and files stay readable). */
export function textWidth(stdout: CliIO['stdout'], toFile: boolean, env: NodeJS.ProcessEnv): number {
  const columns = Number(env.COLUMNS);
  if (!toFile && stdout.isTTY === true && typeof stdout.columns === 'number' && stdout.columns > 0)
    return stdout.columns;
  return Number.isInteger(columns) && columns >= 40 ? columns : 100;
}

export const scanCommand: Command = async (args, io) => {
  const { values, positionals, tokens } = parse(args);
  if (values.help) {
    io.stdout.write(SCAN_USAGE);
    return EXIT_OK;
  }
  const outputs = outputSpecs(tokens, FORMATS, io.cwd);
  const failOn = oneOf<FailOn>('fail-on', values['fail-on'], FAIL_ON, 'error');
  const target = values.target === undefined ? undefined : oneOf('target', values.target, TARGETS, 'auto');
  const policyReportApi = oneOf('policy-report-api', values['policy-report-api'], POLICY_REPORT_APIS, 'wgpolicyk8s');
  const quiet = values.quiet === true;
  const paths = positionals.length > 0 ? positionals : ['.'];
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError("'-' (stdin) may be given only once");
  const exclude = values.exclude ?? [];
  for (const g of exclude) {
    if (g.trim() === '') throw new UsageError('--exclude needs a glob, got an empty value');
    const unsafe = unsafeGlobReason(g);
    if (unsafe) throw new UsageError(`--exclude ${unsafe}`);
  }

  const reporters = await Promise.all(
    outputs.map(async (o) => {
      const reporter = await getReporter(o.format);
      if (!reporter) throw new UsageError(`unknown format '${o.format}'`);
      return reporter;
    }),
  );

  let stopped: StopSignal | void | undefined;
  const stop = io.stopSignal.then((signal) => {
    stopped = signal;
    return { stopped: true as const };
  });

  const scanRoot = paths.find((p) => p !== '-') ?? '.';
  const { config, errors: configErrors } = await loadConfig({ scanRoot, explicitPath: values.config, cwd: io.cwd });
  for (const e of configErrors) io.stderr.write(`persistguard: config error: ${formatReportError(e)}\n`);
  if (configErrors.length > 0) io.stderr.write('persistguard: scanning with the default config instead\n');
  if (exclude.length > 0) config.exclude = [...config.exclude, ...exclude];

  let report: ScanReport;
  io.tuneHeapForScan?.();
  try {
    // Charts, overlays and GitOps releases are rendered here (child processes), then judged by the core.
    const judge = async (): Promise<ScanReport> => {
      const base =
        values.base !== undefined
          ? await loadBaseProject(values.base, paths, { cwd: io.cwd, limits: config.limits, exclude: config.exclude })
          : undefined;
      const rendered = await renderPaths(paths, {
        cwd: io.cwd,
        config: config.render,
        exclude: config.exclude,
        env: io.env,
        disabled: values['no-render'] === true,
      });
      return scanPaths(paths, {
        config,
        target,
        cwd: io.cwd,
        readStdin: io.readStdin,
        now: new Date(),
        ...rendered.scan,
        ...(base ? { base } : {}),
      });
    };
    const outcome = await Promise.race([judge().then((r) => ({ report: r })), stop]);
    if ('stopped' in outcome) return interrupted(io, stopped);
    report = outcome.report;
  } catch (err) {
    if (err instanceof BaseRefError) throw new UsageError(err.message);
    io.stderr.write(
      `persistguard scan: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT_USAGE;
  }
  if (stopped !== undefined) return interrupted(io, stopped);

  const rules = allRules.map((r) => r.meta);
  for (const [i, o] of outputs.entries()) {
    const reporter = reporters[i] as Reporter;
    const toFile = o.file !== undefined;
    const renderOpts = {
      rules,
      color: wantsColour(values['no-color'] === true, toFile, io.stdout.isTTY, io.env),
      policyReportApi,
      width: textWidth(io.stdout, toFile, io.env),
      quiet,
      failOn,
      ...sarifRoot(io.cwd, scanRoot),
    };
    if (o.file === undefined && reporter.chunks) {
      writeInPieces(io.stdout, reporter.chunks(report, renderOpts));
      continue;
    }
    const rendered = reporter.render(report, renderOpts);
    if (o.file === undefined) {
      io.stdout.write(rendered);
      continue;
    }
    try {
      await writeAtomically(o.file, o.given ?? o.file, rendered);
    } catch (err) {
      if (!(err instanceof OutputError)) throw err;
      io.stderr.write(`persistguard scan: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (stopped !== undefined) return interrupted(io, stopped);
    const s = report.summary;
    if (!quiet)
      io.stderr.write(
        `persistguard: wrote ${o.given} (${s.errors} errors, ${s.warnings} warnings, ${s.suppressed} suppressed, ${report.errors.length} input errors)\n`,
      );
  }
  // Input errors go to stderr too when no text report is on the terminal to show them.
  const textOnStdout = outputs.some((o) => o.format === 'text' && o.file === undefined);
  if (!textOnStdout && report.errors.length > 0) {
    for (const e of report.errors) io.stderr.write(`persistguard: input error: ${formatReportError(e)}\n`);
  }

  return scanVerdict(report, failOn, { otherProblems: configErrors.length }).exitCode;
};

/** Writes a report's pieces in writes of about 64 KB: a large report is never one string or one buffer. */
function writeInPieces(out: CliIO['stdout'], pieces: Iterable<string>): void {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= 64 * 1024) {
      out.write(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) out.write(batch.join(''));
}

/**
 * SARIF `uri`s are relative to %SRCROOT%: the working directory when the scan root is inside it (as in CI,
 * run from the checkout: no base is written, the consumer's checkout is the base), else the repository that
 * holds the scan root, else the scan root itself.
 */
function sarifRoot(cwd: string, scanRoot: string): { srcRoot?: string; cwd?: string; baseUri?: string } {
  const abs = resolve(cwd, scanRoot);
  const rel = relative(cwd, abs);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return { srcRoot: cwd, cwd };
  let dir = existsSync(abs) && statSync(abs).isDirectory() ? abs : dirname(abs);
  const start = dir;
  for (;;) {
    if (existsSync(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) {
      dir = start;
      break;
    }
    dir = parent;
  }
  return { srcRoot: dir, cwd, baseUri: pathToFileURL(dir).href };
}

function interrupted(io: CliIO, signal: StopSignal | void): number {
  io.stderr.write(`persistguard scan: interrupted${signal ? ` (${signal})` : ''}; no report written\n`);
  return signalExitCode(signal);
}
