import type { Rule, WorkloadRuleContext } from './rule.js';
import type { DataChange } from '../compare/carried-over.js';
import { DATA_MIGRATED_ANNOTATION, COMPOSE_DATA_MIGRATED_LABEL, dataChanges } from '../compare/carried-over.js';
import { type ComposeProjectOf, composeProjectOf, describeStorage } from '../compare/storage.js';
import { describeWorkload, namespaceOf } from './common.js';

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function acknowledge(ctx: WorkloadRuleContext, path: string): string {
  return ctx.workload.source === 'compose'
    ? `Once copied, record it on the service: labels: ["${COMPOSE_DATA_MIGRATED_LABEL}=${path}"].`
    : `Once copied, record it on the workload: metadata.annotations: { ${DATA_MIGRATED_ANNOTATION}: "${path}" }.`;
}

/** A concrete recipe for the change at hand. */
function recipe(ctx: WorkloadRuleContext, c: DataChange): string {
  const w = ctx.workload;
  const path = c.dataPath.path;
  const from = c.from.storage;
  const to = c.to.storage;
  if (w.source === 'compose') {
    if (from.kind === 'volume' && to.kind === 'volume') {
      return (
        `Copy the volume before \`docker compose up\`: docker compose stop ${shellQuote(w.resource.name)} && ` +
        `docker volume create ${shellQuote(to.name)} && docker run --rm -v ${shellQuote(from.name)}:/from -v ${shellQuote(to.name)}:/to alpine cp -a /from/. /to/ ` +
        `— or keep the data where it is by naming the volume explicitly (top-level volumes: { ${to.key}: { name: ${from.name} } }). ${acknowledge(ctx, path)}`
      );
    }
    const target =
      to.kind === 'volume' ? `${shellQuote(to.name)}:/to` : to.kind === 'host' ? `${to.source}:/to` : '<new>:/to';
    return (
      `Before \`docker compose up\` recreates the container, copy the data out of it: docker compose cp ${shellQuote(w.resource.name)}:${c.fromPath}/. ./${w.resource.name}-backup/ ` +
      `then into the new storage: docker run --rm -v "$PWD/${w.resource.name}-backup":/from -v ${target} alpine cp -a /from/. /to/. ${acknowledge(ctx, path)}`
    );
  }
  const ns = namespaceOf(w);
  const kindLower = w.resource.kind.toLowerCase();
  if (from.kind === 'claim' && to.kind === 'claim' && c.kind === 'storageChanged') {
    return (
      `Copy the data before the new pods start: scale ${kindLower}/${w.resource.name} to 0, then run a one-off Job (or an init container) that mounts ` +
      `both claims and runs cp -a /from/. /to/ (PVC "${from.claim.replace('<ordinal>', '0')}" at /from, PVC "${to.claim.replace('<ordinal>', '0')}" at /to; one per ordinal for a StatefulSet) — ` +
      `or keep the old name. ${acknowledge(ctx, path)}`
    );
  }
  if (c.kind === 'storageClassChanged') {
    return (
      `A claim's storage class cannot change in place: create a claim under a new name in the new class, copy with a one-off Job mounting both ` +
      `(cp -a /from/. /to/), then point the workload at it — or keep the old class. ${acknowledge(ctx, path)}`
    );
  }
  const ref = `${kindLower}/${w.resource.name}`;
  const kubectl = `kubectl -n ${ns} exec`;
  if (c.fromFile !== undefined) {
    // One database file that moved: stream it, the folder around it may hold anything.
    const target = c.dataPath.sqliteFile ?? `${path}/${c.fromFile.slice(c.fromFile.lastIndexOf('/') + 1)}`;
    const local = `${w.resource.name}.db`;
    return (
      `Before the rollout, stop writes and stream the database out of the running pod: ${kubectl} ${ref} -- cat ${c.fromFile} > ${local}; ` +
      `after the rollout, put it on the claim: ${kubectl} -i ${ref} -- sh -c 'cat > ${target}' < ${local}, then kubectl -n ${ns} rollout restart ${ref}. ` +
      acknowledge(ctx, path)
    );
  }
  const tar = `${w.resource.name}-data.tar`;
  return (
    `Before the rollout, stop writes and stream the data out of the running pod: ${kubectl} ${ref} -- tar cf - -C ${c.fromPath} . > ${tar}; ` +
    `after the rollout, put it on the claim: ${kubectl} -i ${ref} -- tar xf - -C ${path} < ${tar}, then kubectl -n ${ns} rollout restart ${ref}. ` +
    acknowledge(ctx, path)
  );
}

const projectLookups = new WeakMap<object, ComposeProjectOf>();
function headProjects(ctx: WorkloadRuleContext): ComposeProjectOf {
  let f = projectLookups.get(ctx.project);
  if (!f) {
    f = composeProjectOf(ctx.project);
    projectLookups.set(ctx.project, f);
  }
  return f;
}

export const rule: Rule = {
  meta: {
    id: 'data-not-carried-over',
    defaultSeverity: 'warning',
    description:
      'A change that moves a data path onto other storage (a new claim, a renamed claim, template, StatefulSet or compose project) must carry the data over.',
    catches:
      'with a base (`scan --base REF`, the Action on pull requests, the webhook on UPDATE): a data path moved onto a new or renamed claim, volumeClaimTemplate, StatefulSet, storage class or compose volume/project without copying the data',
    severityNote: 'warning (needs a base)',
    rationale:
      'Judging only the final state, a pull request that adds the right claim looks perfect, yet the running pods keep their data in their own ' +
      'filesystem and the new claim starts empty. A KILO k3s cluster lost every record this way: "when persistent volumes were first mounted, ' +
      'existing data in /data was overwritten with empty volumes". Renaming a claim, a volumeClaimTemplate, a StatefulSet, a Helm release or a ' +
      'compose project does the same: the old data stays behind on storage nothing mounts any more. Only reported with a base to compare against ' +
      '(`scan --base REF`, the Action on pull requests, the webhook on UPDATE).',
    remediation:
      'Copy the data from the old storage to the new before the new containers start (kubectl exec … tar, a one-off Job or init container mounting both ' +
      `claims, docker run -v OLD:/from -v NEW:/to alpine cp -a /from/. /to/), or keep the old name; then record it with the annotation ${DATA_MIGRATED_ANNOTATION}: "<path>".`,
    messages: {
      fromEphemeral:
        '{{workload}}: {{unit}} "{{container}}" keeps {{what}} in {{from}}; this change puts {{path}} on {{to}}. The running {{owner}}s keep that data in {{from}} and the new storage starts empty: it is gone at the rollout unless it is copied.',
      storageChanged:
        '{{workload}}: {{what}} of {{unit}} "{{container}}" is on {{from}}; after this change ({{why}}) {{path}} is on {{to}}, which does not hold that data: it stays behind on the old storage.',
      storageClassChanged:
        '{{workload}}: {{what}} of {{unit}} "{{container}}" is on {{from}}, and this change {{why}}. A claim cannot change class in place: it has to be deleted and recreated, and the new one starts empty.',
    },
    examples: {
      bad: '# base: the data lives in the container filesystem\nenv: [{ name: DATABASE_URL, value: "sqlite:////data/ledger.db" }]\n# head: the PR adds a claim at /data, nothing copies the data\nvolumeMounts: [{ name: data, mountPath: /data }]',
      good: 'metadata:\n  annotations:\n    persistguard.io/data-migrated: /data   # copied with kubectl cp before the rollout\n# …\nvolumeMounts: [{ name: data, mountPath: /data }]',
    },
    docs: 'docs/rules/data-not-carried-over.md',
  },
  checkWorkload(ctx) {
    const prev = ctx.base?.previous(ctx.workload);
    if (!prev) return;
    const composeProject = headProjects(ctx)(ctx.workload);
    const head = {
      workload: ctx.workload,
      containers: ctx.containers,
      claims: (ns: string, name: string) => ctx.view.getClaim(ns, name),
      ...(composeProject !== undefined ? { composeProject } : {}),
    };
    for (const c of dataChanges(prev.pair, prev.side, head, ctx.project)) {
      const moved = c.fromPath !== c.dataPath.path;
      const source = c.dataPath.reason.replace(/^SQLite file \S+ in /, '');
      const what = moved
        ? `${c.fromFile ?? c.fromPath} (${source})`
        : (c.dataPath.sqliteFile ?? `${c.dataPath.path} (${c.dataPath.reason})`);
      ctx.report({
        messageId:
          c.kind === 'fromEphemeral'
            ? 'fromEphemeral'
            : c.kind === 'storageChanged'
              ? 'storageChanged'
              : 'storageClassChanged',
        data: {
          workload: describeWorkload(ctx.workload),
          container: c.container.name,
          what,
          path: c.dataPath.sqliteFile ?? c.dataPath.path,
          from: describeStorage(c.from),
          to: describeStorage(c.to),
          why: c.why,
          owner: ctx.workload.source === 'compose' ? 'container' : 'pod',
          unit: ctx.workload.source === 'compose' ? 'service' : 'container',
        },
        at: c.to.mount?.at ?? c.dataPath.at,
        container: c.container.name,
        path: c.dataPath.path,
        remediation: recipe(ctx, c),
      });
    }
  },
};
