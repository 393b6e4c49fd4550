import type { Rule } from './rule.js';
import { describeVolume, durabilityOf, isUnder } from '../facts/mounts.js';
import { normalizePosixPath } from '../facts/sqlite.js';
import { coveringMount, lifecycle, volumeOf } from './common.js';

/** Test code routinely (and rightly) puts throwaway databases in /tmp: literals there are not judged. */
const TEST_FILE_RE =
  /(^|\/)(tests?|__tests__|spec|specs|testdata|fixtures?)\/|(^|\/)(test_[^/]*|[^/]*_test\.[a-z]+|[^/]*\.(test|spec)\.[a-z]+|conftest\.py)$/i;

export function isTestFile(file: string): boolean {
  return TEST_FILE_RE.test(file.replace(/\\/g, '/'));
}

function tempDirOf(file: string, tempDirs: readonly string[]): string | undefined {
  return tempDirs.map((t) => normalizePosixPath(t)).find((t) => isUnder(file, t));
}

export const rule: Rule = {
  meta: {
    id: 'sqlite-in-tmp',
    defaultSeverity: 'error',
    description: 'A SQLite database must not live in a temporary directory (/tmp, /var/tmp, /dev/shm, /run).',
    catches:
      'a SQLite file under `/tmp`, `/var/tmp`, `/dev/shm` or `/run`, in manifests, compose files or source files',
    rationale:
      'Temporary directories are cleared on restart or live in the container filesystem. A k3s service kept its ledger in ' +
      'sqlite:////tmp/financial.db; every redeploy started an empty database.',
    remediation:
      'Move the database to a data directory (e.g. /data/app.db) and mount a PersistentVolumeClaim (compose: a named volume) there.',
    messages: {
      inTmp:
        'Container "{{container}}" uses the SQLite database {{file}} ({{reason}}) under {{tempDir}}, {{where}}: it is lost when {{lifecycle}}.',
      literal:
        'SQLite database {{file}}{{raw}} is under {{tempDir}}, which is temporary in a container: the database is lost on every restart or redeploy.',
    },
    examples: {
      bad: 'env:\n  - name: DATABASE_URL\n    value: sqlite:////tmp/financial.db',
      good: 'env:\n  - name: DATABASE_URL\n    value: sqlite:////data/financial.db\nvolumeMounts:\n  - { name: data, mountPath: /data }  # a PVC',
    },
    docs: 'docs/rules/sqlite-in-tmp.md',
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    for (const { container, dataPaths } of ctx.containers) {
      for (const dp of dataPaths) {
        if (!dp.sqliteFile) continue;
        const tempDir = tempDirOf(dp.sqliteFile, ctx.config.tempDirs);
        if (!tempDir) continue;
        const m = coveringMount(container.mounts, dp.path);
        const v = m ? volumeOf(w, m) : undefined;
        if (v) {
          const d = durabilityOf(v.kind);
          if (d === 'persistent' || d === 'node' || d === 'unknown') continue;
        }
        ctx.report({
          messageId: 'inTmp',
          data: {
            container: container.name,
            file: dp.sqliteFile,
            reason: dp.reason,
            tempDir,
            where: m ? `on ${describeVolume(v, m)}` : 'in the container filesystem',
            lifecycle: lifecycle(w),
          },
          at: dp.at,
          container: container.name,
          path: dp.sqliteFile,
        });
      }
    }
  },
  checkProject(ctx) {
    const seen = new Set<string>();
    for (const lit of ctx.project.sqliteLiterals) {
      const tempDir = tempDirOf(lit.path, ctx.config.tempDirs);
      if (!tempDir) continue;
      const file = lit.at.kind === 'node' ? lit.at.doc.file : lit.at.file;
      if (isTestFile(file)) continue;
      const key =
        lit.at.kind === 'pos'
          ? `${file}:${lit.at.line}:${lit.at.column}`
          : `${file}:${lit.at.path.join('.')}:${lit.raw}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId: 'literal',
        data: { file: lit.path, raw: lit.raw === lit.path ? '' : ` (${lit.raw})`, tempDir },
        at: lit.at,
        path: lit.path,
      });
    }
  },
};
