import { EXIT_OK, UsageError, type Command } from '../io.js';
import { parseFlags } from '../args.js';
import { allRules, ruleDocsUrl } from '../../policies/index.js';

const USAGE = `Usage: persistguard rules [-f|--format text|json]

Lists every rule with its default severity and a one-line description.

Options:
  -f, --format FORMAT   text|json (default: text)
  -h, --help            show this help
`;

export const rulesCommand: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    {
      args,
      allowPositionals: true,
      options: { format: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } },
    },
    USAGE,
  );
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${USAGE}`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  const metas = allRules.map((r) => r.meta);
  if (format === 'json') {
    const rows = metas.map((m) => ({
      id: m.id,
      defaultSeverity: m.defaultSeverity,
      description: m.description,
      docs: ruleDocsUrl(m.id),
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  const header = ['RULE', 'SEVERITY', 'DESCRIPTION'] as const;
  const idWidth = Math.max(header[0].length, ...metas.map((m) => m.id.length));
  const sevWidth = Math.max(header[1].length, ...metas.map((m) => m.defaultSeverity.length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(idWidth)}  ${b.padEnd(sevWidth)}  ${c}`.trimEnd();
  const out = [line(...header), ...metas.map((m) => line(m.id, m.defaultSeverity, m.description))];
  io.stdout.write(`${out.join('\n')}\n\nRun 'persistguard explain RULE' for the rationale, examples and the fix.\n`);
  return EXIT_OK;
};
