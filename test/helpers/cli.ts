// Runs the command line: in this process (runCli: arguments, messages, exit codes), or as a user
// would, bin/eposgate in a child process (the compiled CLI: `npm run build` first).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../packages/eposgate/src/cli/main.ts';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'eposgate');

const run = promisify(execFile);

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * `eposgate ARGS` run in-process, with `env` over process.env for what the CLI reads. For commands
 * that finish and for start-up failures; a platform it starts reads process.env itself.
 */
export async function eposgate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { ...process.env, ...env },
    stdout: { write: (s: string) => { stdout += s; } },
    stderr: { write: (s: string) => { stderr += s; } },
    exit: () => {},
  });
  return { stdout, stderr, code };
}

/** `eposgate ARGS` as a user runs it: bin/eposgate in a child process, to its exit. */
export async function eposgateBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(BIN, args, { cwd: ROOT, env: { ...process.env, ...env } });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** Starts a long-running subcommand and resolves once its output matches `ready`. */
export function spawnEposgate(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`not ready after 20 s:\n${out}`)); }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) { clearTimeout(timer); resolve({ child, output: () => out, match: m }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before ready:\n${out}`)); });
  });
}

/** SIGTERM, then resolves on exit; at once for a child that has already exited or was killed. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    // A child killed by a signal has exitCode null and signalCode set: it will not exit again.
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs curl with the given arguments; resolves with the body and status. */
export async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args]);
  const i = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
}
