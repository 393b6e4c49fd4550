/**
 * CLI usability, in-process through main(argv, io): did-you-mean, help <command>, version, short flags,
 * --quiet, --exclude, several outputs, TERM=dumb, completion scripts, write errors without stack traces,
 * named pipes and devices, bounded stdin.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { readBounded } from '../../cli/run.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): Writable & { text: string; isTTY?: boolean; columns?: number } {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      w.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function cli(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string; tty?: { columns: number } } = {},
): Promise<Result> {
  const stdout = sink();
  const stderr = sink();
  if (opts.tty) {
    stdout.isTTY = true;
    stdout.columns = opts.tty.columns;
  }
  const io: CliIO = {
    stdout,
    stderr,
    cwd: opts.cwd ?? work,
    env: opts.env ?? {},
    readStdin: (max) => readBounded(Readable.from([Buffer.from(opts.stdin ?? '')]), max),
    stopSignal: new Promise(() => undefined),
  };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const PORTAL = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: portal
  namespace: web
spec:
  selector: {matchLabels: {app: portal}}
  template:
    metadata: {labels: {app: portal}}
    spec:
      containers:
        - name: portal
          image: ghcr.io/acme/portal:1.0.0
          env:
            - name: DATA_DIR
              value: /app/data
`;

const repoRoot = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'pg-ux-'));
mkdirSync(join(work, 'k8s'));
mkdirSync(join(work, 'legacy'));
writeFileSync(join(work, 'k8s/portal.yaml'), PORTAL);
writeFileSync(join(work, 'legacy/old.yaml'), PORTAL.replace('name: portal\n  namespace', 'name: old\n  namespace'));

describe('did-you-mean and help', () => {
  test('a misspelt flag gets a suggestion, no raw Node message, exit 2', async () => {
    const r = await cli(['scan', '--formt', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^persistguard scan: unknown option '--formt' \(did you mean '--format'\?\)\n/);
    expect(r.stderr).not.toMatch(/as in|To specify a positional/);
  });

  test('a misspelt command gets a suggestion', async () => {
    const r = await cli(['scna', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'scna' (did you mean 'scan'?)");
  });

  test('a flag without its value and a boolean given a value are usage errors', async () => {
    expect((await cli(['scan', '--format'])).stderr).toContain("option '--format' needs a value");
    expect((await cli(['scan', '--quiet=yes'])).stderr).toContain("option '--quiet' takes no value");
  });

  test("'help scan' prints the scan help, not the top-level one", async () => {
    const r = await cli(['help', 'scan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: persistguard scan/);
    expect((await cli(['help', 'sacn'])).stderr).toContain("did you mean 'scan'?");
    expect((await cli(['help'])).stdout).toMatch(/^persistguard .*\n\nUsage: persistguard <command>/);
  });

  test("'version' and '--version' print the version", async () => {
    const v = await cli(['version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await cli(['--version'])).stdout).toBe(v.stdout);
  });
});

describe('scan flags', () => {
  test('short flags -f, -o, -c work like --format, --output, --config', async () => {
    writeFileSync(join(work, 'cfg.yaml'), 'rules:\n  data-path-pvc: warning\n');
    const r = await cli(['scan', 'k8s', '-f', 'json', '-o', 'out/short.json', '-c', 'cfg.yaml']);
    expect(r.code).toBe(0); // the config lowered the finding to a warning
    const json = JSON.parse(readFileSync(join(work, 'out/short.json'), 'utf8')) as { findings: { severity: string }[] };
    expect(json.findings.map((f) => f.severity)).toEqual(['warning']);
  });

  test('--exclude GLOB (repeatable) skips matching files', async () => {
    const all = await cli(['scan', '.', '-f', 'json']);
    const some = await cli(['scan', '.', '-f', 'json', '--exclude', 'legacy/**', '--exclude', 'out/**']);
    const files = (r: Result) => (JSON.parse(r.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
    expect(files(all)).toContain('legacy/old.yaml');
    expect(files(some)).toEqual(['k8s/portal.yaml']);
  });

  test('--exclude refuses a glob that could backtrack without bound (extglob, many stars): usage error, exit 2', async () => {
    for (const g of ['*(a*)*b', 'k8s/*a*a*a*b']) {
      const r = await cli(['scan', '.', '--exclude', g]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--exclude '${g}'`);
    }
  });

  test('--quiet prints findings only: no summary, no "wrote" line, nothing when clean', async () => {
    const r = await cli(['scan', 'k8s', '--quiet']);
    expect(r.stdout).toContain('data-path-pvc');
    expect(r.stdout).not.toMatch(/scanned|persistguard explain/);
    const w = await cli(['scan', 'k8s', '-q', '-f', 'json', '-o', 'out/q.json']);
    expect(w.stderr).toBe('');
    const clean = mkdtempSync(join(tmpdir(), 'pg-clean-'));
    expect((await cli(['scan', clean, '-q'])).stdout).toBe('');
  });

  test('several reports in one run: --format/--output pairs and --format FORMAT=FILE', async () => {
    const r = await cli([
      'scan',
      'k8s',
      '--format',
      'sarif',
      '--output',
      'out/a.sarif',
      '--format',
      'json',
      '--output',
      'out/b.json',
      '-f',
      'junit=out/c.xml',
      '-f',
      'text',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(work, 'out/a.sarif'), 'utf8'))).toHaveProperty('version', '2.1.0');
    expect(JSON.parse(readFileSync(join(work, 'out/b.json'), 'utf8'))).toHaveProperty('findings');
    expect(readFileSync(join(work, 'out/c.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(r.stdout).toMatch(/^k8s\/portal\.yaml\n/); // the text report on stdout
    expect(r.stderr).toContain('wrote out/a.sarif');
    // An --output given before its --format still belongs to it (0.1 spelling).
    await cli(['scan', 'k8s', '--output', 'out/d.json', '--format', 'json']);
    expect(JSON.parse(readFileSync(join(work, 'out/d.json'), 'utf8'))).toHaveProperty('findings');
  });

  test('two reports on stdout, or two to the same file, are usage errors', async () => {
    expect((await cli(['scan', 'k8s', '-f', 'json', '-f', 'sarif'])).stderr).toContain(
      'would go to standard output; give each --format its own --output',
    );
    expect((await cli(['scan', 'k8s', '-f', 'json=x.json', '-f', 'sarif=x.json'])).code).toBe(2);
    expect((await cli(['scan', 'k8s', '-f', 'jsn=x.json'])).stderr).toContain("did you mean 'json'?");
  });

  test('an output path through a file is an error in one line, no stack trace, no temp file left', async () => {
    writeFileSync(join(work, 'afile'), 'x');
    const r = await cli(['scan', 'k8s', '-f', 'json', '-o', 'afile/x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'persistguard scan: cannot write afile/x.json: a part of its folder path is a file, not a folder\n',
    );
    const dir = await cli(['scan', 'k8s', '-f', 'json', '-o', 'k8s']);
    expect(dir.stderr).toContain('cannot write k8s: it is a folder');
    expect(readdirSync(join(work, 'k8s'))).toEqual(['portal.yaml']);
  });

  test('TERM=dumb and NO_COLOR turn colour off on a terminal; FORCE_COLOR turns it on', async () => {
    const tty = { columns: 100 };
    expect((await cli(['scan', 'k8s'], { tty })).stdout).toContain('\u001b[');
    expect((await cli(['scan', 'k8s'], { tty, env: { TERM: 'dumb' } })).stdout).not.toContain('\u001b[');
    expect((await cli(['scan', 'k8s'], { tty, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await cli(['scan', 'k8s'], { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[');
  });

  test("text lines fit the terminal's width (and COLUMNS, and 100 otherwise)", async () => {
    const longest = (r: Result) => Math.max(...r.stdout.split('\n').map((l) => l.replace(/\u001b\[\d+m/g, '').length));
    expect(longest(await cli(['scan', 'k8s'], { tty: { columns: 60 } }))).toBeLessThanOrEqual(60);
    expect(longest(await cli(['scan', 'k8s'], { env: { COLUMNS: '72' } }))).toBeLessThanOrEqual(72);
    expect(longest(await cli(['scan', 'k8s']))).toBeLessThanOrEqual(100);
  });
});

describe('C7 on stderr', () => {
  test('an input error naming a file with escape sequences prints them inert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-esc-'));
    writeFileSync(join(dir, 'x\u001b[2J\n::error::pwned.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
    const r = await cli(['scan', '.', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input error: x\\u001b[2J\\n::error::pwned.yaml');
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('inputs: stdin, named pipes, devices', () => {
  test('C3: stdin is read only up to the size limit', async () => {
    let read = 0;
    // An endless stream: reading it whole would never end.
    const endless = new Readable({
      read() {
        read += 65536;
        this.push(Buffer.alloc(65536, 0x61));
      },
    });
    const text = await readBounded(endless, 1_000_000);
    expect(text.length).toBe(1_000_001);
    expect(read).toBeLessThan(2_000_000);
    writeFileSync(join(work, 'small.yaml'), 'limits:\n  maxFileBytes: 1000\n');
    const r = await cli(['scan', '-', '-c', 'small.yaml'], { stdin: 'a'.repeat(2_000) });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/<stdin> {2}input is over the .* limit \(limits\.maxFileBytes\): not scanned/);
  });

  test('C6: a device is refused with an error, never "0 files" and exit 0', async () => {
    const r = await cli(['scan', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('/dev/zero is a device, not a file or folder: not scanned');
  });

  test('C6: a named pipe given explicitly is read (as <(helm template .) would be) — real mkfifo', async () => {
    const fifo = join(work, 'rendered.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer in another process, as bash's process substitution would be.
    const writer = spawn('sh', ['-c', `cat k8s/portal.yaml > ${fifo}`], { cwd: work, stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const r = await cli(['scan', 'rendered.fifo', '-f', 'json']);
    expect(await exited).toBe(0);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: { file: string; ruleId: string }[] };
    expect(json.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['rendered.fifo data-path-pvc']);
  });
});

describe('C2: signals (a real process: signals cannot be sent in-process)', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during `scan -` exits %i promptly and writes no report', async (signal, code) => {
    const out = join(work, `out/interrupted-${signal}.json`);
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/persistguard.js'), 'scan', '-', '-f', 'json', '-o', out],
      {
        cwd: work,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.write('apiVersion: v1\n'); // stdin stays open: the scan waits for more
    await new Promise((r) => setTimeout(r, 1500));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    expect(await exited).toBe(code);
    clearTimeout(timer);
    expect(stderr).toContain(`interrupted (${signal}); no report written`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('completion', () => {
  test.each([['bash'], ['zsh'], ['fish']])('%s script lists commands and the scan flags', async (shell) => {
    const r = await cli(['completion', shell]);
    expect(r.code).toBe(0);
    for (const word of ['scan', 'explain', 'completion', 'format', 'exclude', 'quiet', 'sarif'])
      expect(r.stdout).toContain(word);
  });

  test('the bash script is valid bash and completes a flag', () => {
    const script = join(work, 'pg.bash');
    writeFileSync(script, '');
    return cli(['completion', 'bash']).then((r) => {
      writeFileSync(script, r.stdout);
      const out = execFileSync(
        'bash',
        [
          '-c',
          `source ${script}; COMP_WORDS=(persistguard scan --form); COMP_CWORD=2; _persistguard; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe('--format');
    });
  });

  test('an unknown shell is a usage error with a hint', async () => {
    const r = await cli(['completion', 'bsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'bash'?");
  });
});
