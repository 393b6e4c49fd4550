/**
 * Everything generated from the rule registry (`policies/rules/index.ts`), in one place:
 *   - the rule-id list of the config schema (`rules.<id>` keys and the `exemptions[].rules` enum),
 *   - the rule tables of README.md and docs/rules/README.md, and the rule table and id list of docs/config.md.
 * Markdown files keep their hand-written text: only regions between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` are replaced. `scripts/gen-docs.mjs` writes the files (`npm run gen`) or, with
 * `--check`, fails when one is stale (run by `npm test`). Pure: file contents in, file contents out.
 */
import type { Rule } from '../policies/index.js';

/** The rule registry's list of rules (`policies/rules/index.ts`), written from the rule files themselves. */
export const REGISTRY_FILE = 'policies/rules/index.ts';

const camel = (file: string): string => file.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * The registry with its generated region listing `ruleFiles` (base names without `.ts` of the files under
 * policies/rules that export `rule`): rules already listed keep their place, new ones are appended in name
 * order, deleted ones disappear.
 */
export function updateRegistry(text: string, ruleFiles: readonly string[]): string {
  const open = '// <generated:registry>';
  const close = '// </generated:registry>';
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${REGISTRY_FILE}: missing ${open} … ${close}`);
  const region = text.slice(a, b);
  const listed = [...region.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => m[1] as string);
  const present = new Set(ruleFiles);
  const order = [...listed.filter((f) => present.has(f)), ...[...ruleFiles].sort().filter((f) => !listed.includes(f))];
  const firstLine = region.slice(0, region.indexOf('\n') + 1);
  const body = [
    ...order.map((f) => `import { rule as ${camel(f)} } from './${f}.js';`),
    '',
    'export const allRules: Rule[] = [',
    ...order.map((f) => `  ${camel(f)},`),
    '];',
    '',
  ].join('\n');
  return text.slice(0, a) + firstLine + body + text.slice(b);
}

export const GENERATED_FILES = [
  'README.md',
  'docs/rules/README.md',
  'docs/config.md',
  'policies/schema/persistguard.schema.json',
] as const;
export type GeneratedFile = (typeof GENERATED_FILES)[number];

function defaultCell(r: Rule): string {
  return r.meta.severityNote ?? r.meta.defaultSeverity;
}

function rulesTable(rules: readonly Rule[], link: (id: string) => string): string {
  const rows = rules.map((r) => `| [\`${r.meta.id}\`](${link(r.meta.id)}) | ${defaultCell(r)} | ${r.meta.catches} |`);
  return ['| rule | default | catches |', '|---|---|---|', ...rows].join('\n');
}

function optionsCell(r: Rule): string {
  const props = (r.meta.schema as { properties?: Record<string, { description?: string }> } | undefined)?.properties;
  if (!props) return 'none';
  return Object.entries(props)
    .map(([k, v]) => `\`${k}\`${v.description ? `: ${v.description}` : ''}`)
    .join('; ');
}

function configRulesTable(rules: readonly Rule[]): string {
  const rows = rules.map(
    (r) => `| [\`${r.meta.id}\`](rules/${r.meta.id}.md) | ${r.meta.defaultSeverity} | ${optionsCell(r)} |`,
  );
  return ['| rule id | default severity | options |', '|---|---|---|', ...rows].join('\n');
}

function idList(rules: readonly Rule[]): string {
  return rules.map((r) => `\`${r.meta.id}\``).join(', ');
}

/** The generated regions of each markdown file, by region name. */
export function markdownRegions(rules: readonly Rule[]): Record<string, Record<string, string>> {
  return {
    'README.md': { 'rules-table': rulesTable(rules, (id) => `docs/rules/${id}.md`), 'rule-ids': idList(rules) },
    'docs/rules/README.md': { 'rules-table': rulesTable(rules, (id) => `${id}.md`) },
    'docs/config.md': { 'rules-table': configRulesTable(rules), 'rule-ids': idList(rules) },
  };
}

/**
 * Replaces every `<!-- generated:NAME -->…<!-- /generated:NAME -->` region of `text`. A block region (markers on
 * their own lines) gets its content between blank-line-free lines; an inline one (inside a table cell) inline.
 * A region the file lacks, or a region the file has that is not generated, is an error: a typo in a marker
 * must not leave a table silently stale.
 */
export function fillRegions(text: string, regions: Record<string, string>, file: string): string {
  const seen = new Set<string>();
  const out = text.replace(
    /<!-- generated:([\w-]+) -->(\n?)[\s\S]*?\n?<!-- \/generated:\1 -->/g,
    (_whole, name: string, openNl: string) => {
      const content = regions[name];
      if (content === undefined) throw new Error(`${file}: unknown generated region '${name}'`);
      seen.add(name);
      const body = openNl === '\n' ? `\n${content}\n` : content;
      return `<!-- generated:${name} -->${body}<!-- /generated:${name} -->`;
    },
  );
  for (const name of Object.keys(regions))
    if (!seen.has(name)) throw new Error(`${file}: missing <!-- generated:${name} --> … <!-- /generated:${name} -->`);
  return out;
}

/** The config-schema node of one rule: a severity, or `{severity}` (plus `options` when the rule declares a schema). */
export function ruleSettingSchema(r: Rule): Record<string, unknown> {
  const description = `${r.meta.description} Default: ${r.meta.defaultSeverity}.`;
  if (r.meta.schema === undefined) return { $ref: '#/definitions/ruleSetting', description };
  return {
    description,
    if: { type: 'string' },
    then: { $ref: '#/definitions/severity' },
    else: {
      type: 'object',
      additionalProperties: false,
      properties: {
        severity: { $ref: '#/definitions/severity', description: '`off`, `error` or `warning`.' },
        options: { ...r.meta.schema, description: `Options of ${r.meta.id} (see ${r.meta.docs}).` },
      },
    },
  };
}

/** Index just past the JSON value (object or array) that opens at `start`, honouring strings. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unbalanced JSON');
}

function replaceValueAfter(text: string, anchor: RegExp, value: (indent: string) => string, what: string): string {
  const m = anchor.exec(text);
  if (!m) throw new Error(`persistguard.schema.json: cannot find ${what}`);
  const open = m.index + m[0].length - 1;
  const lineStart = text.lastIndexOf('\n', open) + 1;
  const indent = /^\s*/.exec(text.slice(lineStart))?.[0] ?? '';
  return text.slice(0, open) + value(indent) + text.slice(endOfValue(text, open));
}

/**
 * The schema with its two rule-id lists regenerated, keeping the file's hand-made layout elsewhere (one line per
 * rule, like the rest of the file), so other edits to the schema merge cleanly.
 */
export function updateSchema(text: string, rules: readonly Rule[]): string {
  let out = replaceValueAfter(
    text,
    /"rules": \{\n[^\n]*\n[^\n]*\n[^\n]*"additionalProperties": false,\n\s*"properties": \{/,
    (indent) => {
      const lines = rules.map((r) => `${indent}  ${JSON.stringify(r.meta.id)}: ${oneLine(ruleSettingSchema(r))}`);
      return `{\n${lines.join(',\n')}\n${indent}}`;
    },
    'properties.rules.properties',
  );
  out = replaceValueAfter(
    out,
    /"enum": \[(?="\*")/,
    () => `[${['*', ...rules.map((r) => r.meta.id)].map((s) => JSON.stringify(s)).join(', ')}]`,
    'the exemptions rules enum (starting with "*")',
  );
  return out;
}

function oneLine(v: unknown): string {
  return JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');
}

/** The anchor regexps must end at the opening bracket of the value they replace. */
function parsesAs(text: string): string {
  JSON.parse(text);
  return text;
}

/** New contents of every generated file, from their current contents. */
export function generateAll(
  current: Record<GeneratedFile, string>,
  rules: readonly Rule[],
): Record<GeneratedFile, string> {
  const md = markdownRegions(rules);
  return {
    'README.md': fillRegions(current['README.md'], md['README.md'] ?? {}, 'README.md'),
    'docs/rules/README.md': fillRegions(
      current['docs/rules/README.md'],
      md['docs/rules/README.md'] ?? {},
      'docs/rules/README.md',
    ),
    'docs/config.md': fillRegions(current['docs/config.md'], md['docs/config.md'] ?? {}, 'docs/config.md'),
    'policies/schema/persistguard.schema.json': parsesAs(
      updateSchema(current['policies/schema/persistguard.schema.json'], rules),
    ),
  };
}
