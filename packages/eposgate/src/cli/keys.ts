import { Command } from 'commander';
import { KeyService } from '../platform/auth/keys.ts';
import { isPlatformError } from '../platform/errors.ts';
import { openStore, storeLocation } from '../platform/store/open.ts';
import { StoreUrlError, type Store } from '../platform/store/store.ts';
import { cliIo } from './io.ts';
import { DATABASE_FLAG, DATABASE_HELP, parseEnv } from './options.ts';

interface StoreFlags { data: string; database?: string }

async function withKeys<T>(o: StoreFlags, fn: (keys: KeyService) => Promise<T>): Promise<T> {
  let store: Store | undefined;
  try {
    store = await openStore(storeLocation(o, cliIo().env));
    return await fn(new KeyService(store.keys));
  } catch (err) {
    if (isPlatformError(err) || err instanceof StoreUrlError) {
      cliIo().stderr.write(`error: ${err.message}\n`);
      cliIo().exit(2);
    }
    throw err;
  } finally {
    await store?.close();
  }
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys (stored hashed: a key is shown once, when created)');
  keys.command('create')
    .description('create an API key; the key is the last line of the output')
    .requiredOption('--account <id>', 'account the key belongs to')
    .requiredOption('--env <env>', 'sandbox or production', parseEnv)
    .option('-d, --data <dir>', 'data directory', './data')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .option('--label <text>', 'a note to tell keys apart')
    .action(async (o: StoreFlags & { account: string; env: 'sandbox' | 'production'; label?: string }) => {
      await withKeys(o, async (svc) => {
        const { key, record } = await svc.create(o.account, o.env, o.label ? { label: o.label } : {});
        cliIo().stdout.write(`created ${record.id} for account ${record.accountId} (${record.env}); store it now, it is not shown again:\n${key}\n`);
      });
    });
  keys.command('list')
    .description('list keys (ids and hints, never the keys)')
    .option('--account <id>', 'only this account')
    .option('-d, --data <dir>', 'data directory', './data')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .option('--json', 'print JSON')
    .action(async (o: StoreFlags & { account?: string; json?: boolean }) => {
      await withKeys(o, async (svc) => {
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
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (id: string, o: StoreFlags) => {
      await withKeys(o, async (svc) => {
        if (!(await svc.revoke(id))) {
          cliIo().stderr.write(`error: no active key with id ${id}\n`);
          return cliIo().exit(2);
        }
        cliIo().stdout.write(`revoked ${id}\n`);
      });
    });
  return keys;
}
