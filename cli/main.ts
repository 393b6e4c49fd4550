import { EXIT_USAGE, UsageError, isSystemError, type CliIO, type Command } from './io.js';
import { VERSION, closest } from '../policies/index.js';

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
  help: {
    summary: "show this help, or a command's ('help scan')",
    load: async () => helpCommand,
  },
  version: {
    summary: 'print the version',
    load: async () => async (_args, io) => {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    },
  },
  completion: {
    summary: 'print a shell completion script (bash, zsh or fish)',
    load: async () => (await import('./commands/completion.js')).completionCommand,
  },
};

export const COMMANDS: readonly string[] = Object.keys(commands);

/** Loads a command by name, for `help <command>` and `completion`. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return commands[name]?.load();
}

const helpCommand: Command = async (args, io) => {
  const [topic, extra] = args;
  if (topic === undefined || topic === 'help' || topic === '--help' || topic === '-h') {
    io.stdout.write(usage());
    return 0;
  }
  if (extra !== undefined) throw new UsageError(`help takes one command, got '${extra}' too`);
  const entry = commands[topic];
  if (!entry) throw new UsageError(unknownCommand(topic));
  return (await entry.load())(['--help'], io);
};

function unknownCommand(name: string): string {
  const hint = closest(name, COMMANDS);
  return `unknown command '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `persistguard ${VERSION}: keep application data from being lost\n\nUsage: persistguard <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'persistguard help <command>' (or 'persistguard <command> --help') for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`persistguard: ${unknownCommand(name)}\n\n${usage()}`);
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
    if (isSystemError(err)) {
      io.stderr.write(`persistguard ${name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
