/** Validators for the third-party schemas in ../shared/schemas (SARIF 2.1.0, PolicyReport CRDs). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(repoRoot, '../shared');
export const SCHEMAS = path.join(SHARED, 'schemas');
export const hasSchemas = existsSync(path.join(SCHEMAS, 'sarif-schema-2.1.0.json'));

export type Validate = ((d: unknown) => boolean) & { errors?: unknown };
// ajv-formats and ajv-draft-04 are CommonJS: under ESM their default export may arrive wrapped.
type AddFormats = (ajv: unknown) => unknown;
type AjvCtor = new (opts: object) => { compile(schema: object): Validate };
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;
const AjvDraft04 = ((Ajv04 as unknown as { default?: AjvCtor }).default ?? Ajv04) as unknown as AjvCtor;

export function sarifValidator(): Validate {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, 'sarif-schema-2.1.0.json'), 'utf8')) as object);
}

/** The CRD's openAPIV3Schema, with Kubernetes' x- extensions removed (ajv knows none of them). */
export function crdSchema(file: string): object {
  const crd = parseAllDocuments(readFileSync(path.join(SCHEMAS, file), 'utf8'))[0]!.toJSON() as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
  };
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !k.startsWith('x-kubernetes'))
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  return strip(crd.spec.versions[0]!.schema.openAPIV3Schema) as object;
}

const CRD_FILES: Record<string, string> = {
  PolicyReport: 'wgpolicyk8s.io_policyreports.yaml',
  ClusterPolicyReport: 'wgpolicyk8s.io_clusterpolicyreports.yaml',
  Report: 'openreports.io_reports.yaml',
  ClusterReport: 'openreports.io_clusterreports.yaml',
};

/** One validator per report kind. */
export function policyReportValidators(): Record<string, Validate> {
  const ajv = new Ajv({ allErrors: true, strict: false, formats: { int32: true, int64: true, 'date-time': true } });
  return Object.fromEntries(
    Object.entries(CRD_FILES).map(([kind, f]) => [kind, ajv.compile(crdSchema(f)) as Validate]),
  );
}
