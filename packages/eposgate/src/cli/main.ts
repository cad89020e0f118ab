// `eposgate`: the command line. Each subcommand lives in its own module. Run as a program it
// parses process.argv; runCli runs it in-process (tests) with its own I/O.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { backupCommand } from './backup.ts';
import { demoCommand } from './demo.ts';
import { eposCommand } from './epos.ts';
import { CliExit, withCliIo, type CliSink } from './io.ts';
import { keysCommand } from './keys.ts';
import { serveCommand } from './serve.ts';
import { testCommand } from './test.ts';
import { loadCommand } from './load.ts';

/** The whole command line, made anew for each run: commander keeps parsed values on its commands. */
export function eposgateProgram(): Command {
  const program = new Command('eposgate')
    .description('An open EPOS Data API platform')
    .version('0.1.0')
    .showHelpAfterError();

  program.addCommand(serveCommand());
  program.addCommand(keysCommand());
  program.addCommand(eposCommand());
  program.addCommand(demoCommand());
  program.addCommand(testCommand());
  program.addCommand(loadCommand());
  program.addCommand(backupCommand());
  return program;
}

export interface CliRun {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  stdout: CliSink;
  stderr: CliSink;
  /** Called once, with the code the process would have exited with. */
  exit(code: number): void;
}

/**
 * Runs `eposgate ARGS` in this process, never calling process.exit. For commands that finish
 * (keys, backup, test, load) and for start-up failures; serve, demo and epos, once up, keep
 * running and stop on the process's signals: spawn bin/eposgate for those.
 */
export async function runCli(args: readonly string[], run: CliRun): Promise<number> {
  let code = 0;
  const io = {
    env: run.env ?? process.env,
    stdout: run.stdout,
    stderr: run.stderr,
    exit: (c: number): never => { throw new CliExit(c); },
    setExitCode: (c: number) => { code = c; },
  };
  const program = eposgateProgram();
  const inProcess = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
    cmd.commands.forEach(inProcess);
  };
  inProcess(program);
  try {
    await withCliIo(io, () => program.parseAsync([...args], { from: 'user' }));
  } catch (err) {
    // commander's own exits (help, version, a refused option) are plain CommanderErrors; an
    // InvalidArgumentError that escaped a command's action is not one of them.
    if (err instanceof CliExit) code = err.code;
    else if (err instanceof CommanderError && !(err instanceof InvalidArgumentError)) code = err.exitCode;
    else {
      // What Node does with an error nothing caught: print it, exit 1.
      io.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      code = 1;
    }
  }
  run.exit(code);
  return code;
}

/** Whether this module is the program Node was started with (`node dist/cli/main.js`). */
function isEntry(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The program, as bin/eposgate runs it. */
export async function main(): Promise<void> {
  await eposgateProgram().parseAsync(process.argv);
}

if (isEntry()) await main();
