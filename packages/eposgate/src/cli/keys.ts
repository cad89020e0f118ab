import { Command } from 'commander';
import { KeyService } from '../platform/auth/keys.ts';
import { isPlatformError } from '../platform/errors.ts';
import { SqliteStore } from '../platform/store/sqlite/index.ts';
import { cliIo } from './io.ts';
import { parseEnv } from './options.ts';

async function withKeys<T>(dataDir: string, fn: (keys: KeyService) => Promise<T>): Promise<T> {
  const store = new SqliteStore(dataDir);
  try {
    return await fn(new KeyService(store.keys));
  } catch (err) {
    if (isPlatformError(err)) {
      cliIo().stderr.write(`error: ${err.message}\n`);
      cliIo().exit(2);
    }
    throw err;
  } finally {
    await store.close();
  }
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys (stored hashed: a key is shown once, when created)');
  keys.command('create')
    .description('create an API key; the key is the last line of the output')
    .requiredOption('--account <id>', 'account the key belongs to')
    .requiredOption('--env <env>', 'sandbox or production', parseEnv)
    .option('-d, --data <dir>', 'data directory', './data')
    .option('--label <text>', 'a note to tell keys apart')
    .action(async (o: { account: string; env: 'sandbox' | 'production'; data: string; label?: string }) => {
      await withKeys(o.data, async (svc) => {
        const { key, record } = await svc.create(o.account, o.env, o.label ? { label: o.label } : {});
        cliIo().stdout.write(`created ${record.id} for account ${record.accountId} (${record.env}); store it now, it is not shown again:\n${key}\n`);
      });
    });
  keys.command('list')
    .description('list keys (ids and hints, never the keys)')
    .option('--account <id>', 'only this account')
    .option('-d, --data <dir>', 'data directory', './data')
    .option('--json', 'print JSON')
    .action(async (o: { account?: string; data: string; json?: boolean }) => {
      await withKeys(o.data, async (svc) => {
        const list = (await svc.list(o.account)).map(({ hash: _hash, ...rest }) => rest);
        if (o.json) return void cliIo().stdout.write(JSON.stringify(list, null, 2) + '\n');
        if (!list.length) return void cliIo().stdout.write('no keys\n');
        for (const k of list) {
          cliIo().stdout.write([k.id, k.accountId, k.env, k.hint, k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : 'active', k.label ?? ''].join('\t').trimEnd() + '\n');
        }
      });
    });
  keys.command('revoke')
    .description('revoke a key by id; requests with it get 401 from then on')
    .argument('<keyId>', 'id shown by keys create / keys list')
    .option('-d, --data <dir>', 'data directory', './data')
    .action(async (id: string, o: { data: string }) => {
      await withKeys(o.data, async (svc) => {
        if (!(await svc.revoke(id))) {
          cliIo().stderr.write(`error: no active key with id ${id}\n`);
          return cliIo().exit(2);
        }
        cliIo().stdout.write(`revoked ${id}\n`);
      });
    });
  return keys;
}
