// The command line's I/O seam: where a command writes, which environment it reads, how it ends.
// The real CLI uses the process. runCli (main.ts) runs the same commands in-process with sinks and
// an exit callback, so tests check arguments, messages and exit codes without starting a Node.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CliSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  /** What the CLI's own code reads ($PORT, $EPOSGATE_API_KEY, ...); a platform it starts still reads process.env. */
  env: NodeJS.ProcessEnv;
  stdout: CliSink;
  stderr: CliSink;
  /** Ends the command now. */
  exit(code: number): never;
  /** The code to end with once the command's work is done (the process's exitCode). */
  setExitCode(code: number): void;
}

/** Thrown by an in-process exit: it unwinds the command up to runCli. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const processIo: CliIo = {
  get env() { return process.env; },
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
  setExitCode: (code) => { process.exitCode = code; },
};

const current = new AsyncLocalStorage<CliIo>();

/** The I/O of the command running now: the process's, unless runCli gave its own. */
export const cliIo = (): CliIo => current.getStore() ?? processIo;

export const withCliIo = <T>(io: CliIo, run: () => T): T => current.run(io, run);
