import { EXIT_USAGE, UsageError, type CliIO, type Command } from './io.js';
import { VERSION } from '../policies/index.js';

/** Commands are loaded on demand: `scan` must not pay for the webhook's dependencies. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  scan: {
    summary: 'scan manifests, compose files and scripts for data-loss risks',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  rules: {
    summary: 'list every rule with its severity and description',
    load: async () => (await import('./commands/rules.js')).rulesCommand,
  },
  explain: {
    summary: 'explain one rule: rationale, bad and good example, remediation',
    load: async () => (await import('./commands/explain.js')).explainCommand,
  },
  serve: {
    summary: 'run the validating admission webhook (HTTPS)',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  certs: {
    summary: 'write a self-signed CA and serving certificate for the webhook',
    load: async () => (await import('./commands/certs.js')).certsCommand,
  },
  audit: {
    summary: 'evaluate everything already running in a cluster',
    load: async () => (await import('./commands/audit.js')).auditCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `persistguard ${VERSION}: keep application data from being lost\n\nUsage: persistguard <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'persistguard <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`persistguard: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`persistguard ${name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
