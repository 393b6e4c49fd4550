import { Writable } from 'node:stream';
import { EXIT_OK, UsageError, type CliIO, type Command } from '../io.js';
import { oneOf, parseFlags } from '../args.js';
import { COMMANDS, loadCommand } from '../main.js';
import { allRules, FAIL_ON, FORMATS, POLICY_REPORT_APIS, TARGETS, WEBHOOK_MODES } from '../../policies/index.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const USAGE = `Usage: persistguard completion bash|zsh|fish

Prints a completion script for commands, flags, formats and rule ids. Install it with:
  bash  echo 'source <(persistguard completion bash)' >> ~/.bashrc
  zsh   persistguard completion zsh > "\${fpath[1]}/_persistguard"
  fish  persistguard completion fish > ~/.config/fish/completions/persistguard.fish
`;

/** A command's flags, read from its own help text: the help is what users see, so it is the source. */
export interface Flag {
  long: string;
  short?: string;
}

export async function commandFlags(name: string, io: Pick<CliIO, 'cwd' | 'env'>): Promise<Flag[]> {
  const command = await loadCommand(name);
  if (!command) return [];
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  await command(['--help'], {
    ...io,
    stdout: sink,
    stderr: sink,
    readStdin: async () => '',
    stopSignal: new Promise(() => undefined),
  });
  const flags = new Map<string, Flag>();
  for (const m of text.matchAll(/^ {2,}(?:(-[a-zA-Z]), )?(--[a-z][a-z0-9-]*)/gm)) {
    const long = m[2] as string;
    flags.set(long, { long, ...(m[1] ? { short: m[1] } : {}) });
  }
  return [...flags.values()];
}

function words(flags: Flag[]): string {
  return flags.flatMap((f) => (f.short ? [f.short, f.long] : [f.long])).join(' ');
}

/** Values a flag or a command's argument can take, when they are a fixed list. */
function valueLists(): Record<string, readonly string[]> {
  return {
    '--format': FORMATS,
    '-f': FORMATS,
    '--fail-on': FAIL_ON,
    '--target': TARGETS,
    '--policy-report-api': POLICY_REPORT_APIS,
    '--mode': WEBHOOK_MODES,
  };
}

function bash(flags: Record<string, Flag[]>, rules: string[]): string {
  const cases = Object.entries(flags)
    .map(([c, f]) => `    ${c}) opts="${words(f)}" ;;`)
    .join('\n');
  const values = Object.entries(valueLists())
    .map(([f, v]) => `    ${f}) COMPREPLY=($(compgen -W "${v.join(' ')}" -- "$cur")); return ;;`)
    .join('\n');
  return `# persistguard bash completion: source <(persistguard completion bash)
_persistguard() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${COMMANDS.join(' ')}" -- "$cur")); return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${values}
  esac
  case "$cmd" in
    help) COMPREPLY=($(compgen -W "${COMMANDS.join(' ')}" -- "$cur")); return ;;
    explain) COMPREPLY=($(compgen -W "${rules.join(' ')}" -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")); return ;;
  esac
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _persistguard persistguard
`;
}

function zsh(flags: Record<string, Flag[]>, rules: string[]): string {
  const cases = Object.entries(flags)
    .map(([c, f]) => `    ${c}) compadd -- ${words(f)}; _files ;;`)
    .join('\n');
  const values = Object.entries(valueLists())
    .map(([f, v]) => `    ${f}) compadd -- ${v.join(' ')}; return ;;`)
    .join('\n');
  return `#compdef persistguard
# persistguard zsh completion: persistguard completion zsh > "\${fpath[1]}/_persistguard"
_persistguard() {
  if (( CURRENT == 2 )); then compadd -- ${COMMANDS.join(' ')}; return; fi
  case "\${words[CURRENT-1]}" in
${values}
  esac
  case "\${words[2]}" in
    help) compadd -- ${COMMANDS.join(' ')} ;;
    explain) compadd -- ${rules.join(' ')} ;;
    completion) compadd -- ${SHELLS.join(' ')} ;;
${cases}
  esac
}
compdef _persistguard persistguard
`;
}

function fish(flags: Record<string, Flag[]>, rules: string[]): string {
  const lines = [
    '# persistguard fish completion: persistguard completion fish > ~/.config/fish/completions/persistguard.fish',
    'complete -c persistguard -f',
    `complete -c persistguard -n __fish_use_subcommand -a '${COMMANDS.join(' ')}'`,
    `complete -c persistguard -n '__fish_seen_subcommand_from help' -a '${COMMANDS.join(' ')}'`,
    `complete -c persistguard -n '__fish_seen_subcommand_from explain' -a '${rules.join(' ')}'`,
    `complete -c persistguard -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`,
  ];
  const values = valueLists();
  for (const [command, list] of Object.entries(flags)) {
    for (const flag of list) {
      const fixed = values[flag.long];
      const takes = fixed ? ` -x -a '${fixed.join(' ')}'` : '';
      lines.push(
        `complete -c persistguard -n '__fish_seen_subcommand_from ${command}' -l ${flag.long.slice(2)}${flag.short ? ` -s ${flag.short.slice(1)}` : ''}${takes}`,
      );
    }
  }
  lines.push(
    `complete -c persistguard -n '__fish_seen_subcommand_from scan' -F`,
    '', // trailing newline
  );
  return lines.join('\n');
}

export const completionCommand: Command = async (args, io) => {
  const { values, positionals } = parseFlags(
    { args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } },
    USAGE,
  );
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`which shell?\n\n${USAGE}`);
  const shell: Shell = oneOf('shell', positionals[0], SHELLS, 'bash');
  const flags: Record<string, Flag[]> = {};
  for (const name of COMMANDS) flags[name] = await commandFlags(name, io);
  const rules = allRules.map((r) => r.meta.id);
  io.stdout.write(shell === 'bash' ? bash(flags, rules) : shell === 'zsh' ? zsh(flags, rules) : fish(flags, rules));
  return EXIT_OK;
};
