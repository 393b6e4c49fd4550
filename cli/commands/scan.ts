import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.js';
import { oneOf, parseFlags } from '../args.js';
import { loadConfig, FORMATS, getReporter, allRules, scanPaths } from '../../policies/index.js';
import { BaseRefError, loadBaseProject } from '../git/base-tree.js';
import { renderPaths } from '../../render/index.js';
import { reachesThreshold, type FailOn, type ReportError, type ScanReport } from '../../policies/index.js';

export const SCAN_USAGE = `Usage: persistguard scan [PATH...|-] [options]

Scans Kubernetes manifests, docker-compose files, scripts and source files for data-loss risks.
PATH is a file or folder (default: .); '-' reads rendered manifests from stdin
(helm template . | persistguard scan -).

Options:
  --config FILE               config file (default: nearest .persistguard.yaml upward from the first PATH)
  --format FORMAT             ${FORMATS.join('|')} (default: text)
  --output FILE               write the report to FILE instead of stdout
  --fail-on LEVEL             error|warning|never: exit 1 when a finding reaches LEVEL (default: error)
  --target TARGET             auto|k3s|kubernetes: overrides the config's target
  --base REF                  also judge what changes against git REF (e.g. origin/main): data left
                              behind by a new or renamed claim, volume or project (read with git, nothing
                              is checked out)
  --no-color                  no ANSI colours (also: NO_COLOR=1)
  --policy-report-api API     wgpolicyk8s|openreports, for --format policyreport (default: wgpolicyk8s)
  --no-render                 do not render Helm charts, Kustomize overlays and GitOps releases (one note each)
  -h, --help                  show this help

Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 usage, config or input errors
(findings are still reported).
`;

const FAIL_ON = ['error', 'warning', 'never'] as const;
const TARGETS = ['auto', 'k3s', 'kubernetes'] as const;
const POLICY_REPORT_APIS = ['wgpolicyk8s', 'openreports'] as const;

function parse(args: string[]) {
  return parseFlags(
    {
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        'fail-on': { type: 'string' },
        target: { type: 'string' },
        base: { type: 'string' },
        'no-color': { type: 'boolean' },
        'policy-report-api': { type: 'string' },
        'no-render': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    SCAN_USAGE,
  );
}

export function formatReportError(e: ReportError): string {
  const pos = e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : '';
  return `${e.file}${pos}: ${e.message}`;
}

/** Colour only for a person at a terminal: not into files, not when NO_COLOR is set (no-color.org). */
function wantsColour(
  noColorFlag: boolean,
  toFile: boolean,
  isTTY: boolean | undefined,
  env: NodeJS.ProcessEnv,
): boolean {
  if (noColorFlag || toFile) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY === true;
}

export const scanCommand: Command = async (args, io) => {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(SCAN_USAGE);
    return EXIT_OK;
  }
  const format = oneOf('format', values.format, FORMATS, 'text');
  const failOn = oneOf<FailOn>('fail-on', values['fail-on'], FAIL_ON, 'error');
  const target = values.target === undefined ? undefined : oneOf('target', values.target, TARGETS, 'auto');
  const policyReportApi = oneOf('policy-report-api', values['policy-report-api'], POLICY_REPORT_APIS, 'wgpolicyk8s');
  const paths = positionals.length > 0 ? positionals : ['.'];
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError("'-' (stdin) may be given only once");
  const output = values.output !== undefined && values.output !== '-' ? resolve(io.cwd, values.output) : undefined;

  const reporter = await getReporter(format);
  if (!reporter) throw new UsageError(`unknown format '${format}'`);

  const scanRoot = paths.find((p) => p !== '-') ?? '.';
  const { config, errors: configErrors } = await loadConfig({ scanRoot, explicitPath: values.config, cwd: io.cwd });
  for (const e of configErrors) io.stderr.write(`persistguard: config error: ${formatReportError(e)}\n`);
  if (configErrors.length > 0) io.stderr.write('persistguard: scanning with the default config instead\n');
  if (target !== undefined) config.target = target;

  let report: ScanReport;
  try {
    const base =
      values.base !== undefined
        ? await loadBaseProject(values.base, paths, { cwd: io.cwd, limits: config.limits, exclude: config.exclude })
        : undefined;
    // Charts, overlays and GitOps releases are rendered here (child processes), then judged by the core.
    const rendered = await renderPaths(paths, {
      cwd: io.cwd,
      config: config.render,
      exclude: config.exclude,
      env: io.env,
      disabled: values['no-render'] === true,
    });
    report = await scanPaths(paths, {
      config,
      cwd: io.cwd,
      readStdin: io.readStdin,
      now: new Date(),
      ...rendered.scan,
      ...(base ? { base } : {}),
    });
  } catch (err) {
    if (err instanceof BaseRefError) throw new UsageError(err.message);
    io.stderr.write(
      `persistguard scan: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT_USAGE;
  }

  const color = wantsColour(values['no-color'] === true, output !== undefined, io.stdout.isTTY, io.env);
  const rendered = reporter.render(report, { rules: allRules.map((r) => r.meta), color, policyReportApi });
  if (output !== undefined) {
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, rendered);
    const s = report.summary;
    io.stderr.write(
      `persistguard: wrote ${values.output} (${s.errors} errors, ${s.warnings} warnings, ${s.suppressed} suppressed, ${report.errors.length} input errors)\n`,
    );
  } else {
    io.stdout.write(rendered);
  }
  // Input errors go to stderr too when the report itself is machine-readable or in a file.
  if ((format !== 'text' || output !== undefined) && report.errors.length > 0) {
    for (const e of report.errors) io.stderr.write(`persistguard: input error: ${formatReportError(e)}\n`);
  }

  if (configErrors.length > 0 || report.errors.length > 0) return EXIT_USAGE;
  return report.findings.some((f) => reachesThreshold(f, failOn)) ? EXIT_FINDINGS : EXIT_OK;
};
