// `agentpipe keys create|list|revoke`: API keys for `agentpipe serve`, in .agentpipe/store.db,
// stored as a SHA-256 hash. `create` prints the key once (stdout, so it can be captured); it cannot
// be shown again. Once any key exists, serve asks every request for credentials.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface KeysFlags {
  role?: string;
  name?: string;
  expires?: string;
  json?: boolean;
}

async function openKeys() {
  const [{ findRoot }, { openSqlite, storePath }, { KeyStore }, { UsageError }] = await Promise.all([import('../../load/discover.js'), import('../../store/sqlite.js'), import('../../serve/keys.js'), import('../../errors.js')]);
  const root = await findRoot(process.cwd());
  if (!root) throw new UsageError(`no providers.yaml in ${process.cwd()} or any folder above it: run agentpipe keys inside your config repo`);
  const database = await openSqlite(storePath(root));
  return { keys: new KeyStore(database), close: () => database.close() };
}

/** `30d`, `12h`, `90m` or an ISO date -> an ISO time. */
async function expiry(value: string): Promise<string> {
  const { UsageError } = await import('../../errors.js');
  const relative = /^([1-9]\d*)([dhm])$/.exec(value);
  if (relative) return new Date(Date.now() + Number(relative[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm']).toISOString();
  const time = Date.parse(value);
  if (Number.isNaN(time) || time <= Date.now()) throw new UsageError(`--expires must be a duration (30d, 12h, 90m) or a future date, got "${value}"`);
  return new Date(time).toISOString();
}

export async function keysCommand(action: string | undefined, id: string | undefined, flags: KeysFlags): Promise<number> {
  const { UsageError } = await import('../../errors.js');
  const { roles } = await import('../../serve/keys.js');
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError(`agentpipe keys needs create, list or revoke${action ? `, not "${action}"` : ''}`);
  if (action === 'create' && !(roles as readonly string[]).includes(flags.role ?? '')) throw new UsageError(`keys create needs --role ${roles.join('|')}${flags.role ? `, not "${flags.role}"` : ''}`);
  if (action === 'revoke' && !id) throw new UsageError('keys revoke needs the key id (see agentpipe keys list)');
  const expiresAt = action === 'create' && flags.expires ? await expiry(String(flags.expires)) : undefined;
  const { keys, close } = await openKeys();
  try {
    if (action === 'create') {
      const { key, info } = keys.create({ role: flags.role as 'viewer' | 'runner' | 'admin', name: flags.name ? String(flags.name) : '', ...(expiresAt ? { expiresAt } : {}) });
      if (flags.json) process.stdout.write(`${JSON.stringify({ key, ...info })}\n`);
      else {
        process.stdout.write(`${key}\n`);
        process.stderr.write(`created ${info.role} key ${info.id}${info.name ? ` (${info.name})` : ''}${info.expiresAt ? `, expires ${info.expiresAt}` : ''}. It is shown only now: store it safely. Send it as Authorization: Bearer <key>.\n`);
      }
      return 0;
    }
    if (action === 'list') {
      const list = keys.list();
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write('no API keys (agentpipe keys create --role viewer|runner|admin)\n');
      else for (const key of list) process.stdout.write(`${key.id}  ${key.role.padEnd(6)}  ${key.revokedAt ? 'revoked' : key.expiresAt && Date.parse(key.expiresAt) <= Date.now() ? 'expired' : 'active '}  created ${key.createdAt}${key.expiresAt ? `  expires ${key.expiresAt}` : ''}${key.lastUsedAt ? `  last used ${key.lastUsedAt}` : ''}  ${key.name}\n`);
      return 0;
    }
    if (!keys.revoke(String(id))) throw new UsageError(`no active key "${id}" (see agentpipe keys list)`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ revoked: String(id) })}\n`);
    else process.stderr.write(`revoked key ${id}\n`);
    return 0;
  } finally {
    close();
  }
}

export const keysCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('keys <action> [id]', 'API keys for serve: create --role viewer|runner|admin, list, revoke <id>')
      .option('--role <role>', 'viewer (read), runner (start, cancel, resume runs) or admin (also keys)')
      .option('--name <name>', 'A label for the key')
      .option('--expires <when>', 'A duration (30d, 12h) or a date after which the key stops working')
      .option('--json', 'Print JSON')
      .action((action: string | undefined, id: string | undefined, flags: KeysFlags) => keysCommand(action, id, flags));
  },
};
