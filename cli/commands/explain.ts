import { EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.js';
import { parseFlags } from '../args.js';
import { allRules, getRule, ruleDocsUrl, closest } from '../../policies/index.js';
import type { RuleMeta } from '../../policies/index.js';

const USAGE = `Usage: persistguard explain RULE

Shows why a rule matters, a bad and a good example, the fix and a link to the rule's docs page.
Run 'persistguard rules' for the list of rules.
`;

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
}

export function renderExplanation(m: RuleMeta): string {
  return [
    `${m.id} (default: ${m.defaultSeverity})`,
    m.description,
    '',
    'Why it matters',
    indent(m.rationale),
    '',
    'Bad',
    indent(m.examples.bad),
    '',
    'Good',
    indent(m.examples.good),
    '',
    'How to fix',
    indent(m.remediation),
    '',
    `Docs: ${ruleDocsUrl(m.id)}`,
    '',
  ].join('\n');
}

export const explainCommand: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    { args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } },
    USAGE,
  );
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const [id, extra] = positionals;
  if (id === undefined) throw new UsageError(`which rule?\n\n${USAGE}`);
  if (extra !== undefined) throw new UsageError(`explain takes one rule, got '${extra}' too`);
  const rule = getRule(id);
  if (!rule) {
    const ids = allRules.map((r) => r.meta.id);
    const hint = closest(id, ids);
    io.stderr.write(
      `persistguard explain: unknown rule '${id}'${hint ? `; did you mean '${hint}'?` : ''}\nKnown rules: ${ids.join(', ') || '(none)'}\n`,
    );
    return EXIT_USAGE;
  }
  io.stdout.write(renderExplanation(rule.meta));
  return EXIT_OK;
};
