// `eposgate`: the command line. Each subcommand lives in its own module.
import { Command } from 'commander';
import { backupCommand } from './backup.ts';
import { demoCommand } from './demo.ts';
import { eposCommand } from './epos.ts';
import { keysCommand } from './keys.ts';
import { serveCommand } from './serve.ts';
import { testCommand } from './test.ts';
import { loadCommand } from './load.ts';

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

await program.parseAsync(process.argv);
