// `agentpipe memory list|show|forget`: conversation threads and remembered facts in the store.
// `forget <thread-id>` deletes a thread with all its turns and summary; `forget fact:<n>` one fact;
// `forget --scope <name>` every fact of a scope. Deleted text is scrubbed from the file and its WAL,
// and a forgotten thread's run records (.agentpipe/runs/<id>/, which hold the same text) are deleted.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';
import type { Stores } from '../../store/types.js';

interface MemoryFlags {
  json?: boolean;
  sim?: boolean;
  scope?: string;
}

async function withStores<T>(flags: MemoryFlags, work: (stores: Stores) => T): Promise<T> {
  const [{ findRoot }, { openStores }] = await Promise.all([import('../../load/discover.js'), import('../../store/registry.js')]);
  const root = (await findRoot(process.cwd())) ?? process.cwd();
  const stores = await openStores({ root, ...(flags.sim ? { simulated: true } : {}) });
  try {
    return work(stores);
  } finally {
    stores.close();
  }
}

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Deletes `.agentpipe/runs/<id>/` of each `store-path\0run-id`; returns how many existed. */
async function removeRuns(entries: string[]): Promise<number> {
  if (entries.length === 0) return 0;
  const [{ rm, stat }, { dirname, join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  let removed = 0;
  for (const entry of entries) {
    const [location = '', runId = ''] = entry.split('\u0000');
    if (!/^[A-Za-z0-9_.-]+$/.test(runId)) continue;
    const directory = join(dirname(location), 'runs', runId);
    if (!(await stat(directory).then(() => true, () => false))) continue;
    await rm(directory, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

export async function memoryCommand(action: string | undefined, id: string | undefined, flags: MemoryFlags): Promise<number> {
  const { UsageError } = await import('../../errors.js');
  switch (action) {
    case 'list':
      return withStores(flags, ({ memory }) => {
        const threads = memory.threads();
        const facts = memory.facts();
        if (flags.json) print(JSON.stringify({ threads, facts: facts.filter((fact) => !flags.scope || fact.scope === flags.scope) }, null, 2));
        else {
          const lines = threads.map((thread) => `thread ${thread.id}  agent ${thread.agent}  ${thread.turns} turn(s)${thread.summary ? ', summarised' : ''}  updated ${thread.updatedAt}`);
          for (const fact of facts) if (!flags.scope || fact.scope === flags.scope) lines.push(`fact:${fact.id}  scope ${fact.scope}  ${fact.text.length > 70 ? `${fact.text.slice(0, 70)}…` : fact.text}`);
          print(lines.length > 0 ? lines.join('\n') : 'no threads or facts yet (run --thread <id>, or an agent with memory.facts)');
        }
        return 0;
      });
    case 'show': {
      if (!id) throw new UsageError('`agentpipe memory show` needs a thread id or fact:<n>');
      return withStores(flags, ({ memory }) => {
        const fact = /^fact:(\d+)$/.exec(id);
        if (fact) {
          const found = memory.facts().find((entry) => entry.id === Number(fact[1]));
          if (!found) throw new UsageError(`no fact ${id}; see \`agentpipe memory list\``);
          print(flags.json ? JSON.stringify(found, null, 2) : `fact:${found.id} (scope ${found.scope}, ${found.createdAt})\n${found.text}`);
          return 0;
        }
        const thread = memory.thread(id);
        if (!thread) throw new UsageError(`no thread "${id}"; see \`agentpipe memory list\``);
        const turns = memory.turns(id);
        if (flags.json) print(JSON.stringify({ ...thread, turns }, null, 2));
        else {
          const lines = [`thread ${thread.id} (agent ${thread.agent}, ${turns.length} turn(s))`];
          if (thread.summary) lines.push(`summary: ${thread.summary}`);
          for (const turn of turns) lines.push(`${turn.role}${turn.answered ? '' : ' (no answer: the run stopped)'}: ${turn.content}`);
          print(lines.join('\n'));
        }
        return 0;
      });
    }
    case 'forget': {
      if (!id && !flags.scope) throw new UsageError('`agentpipe memory forget` needs a thread id, fact:<n>, or --scope <name>');
      const runs: string[] = [];
      const forgotten = await withStores(flags, ({ memory, location }) => {
        if (flags.scope && !id) return `${memory.forgetScope(flags.scope)} fact(s) of scope ${flags.scope}`;
        const fact = /^fact:(\d+)$/.exec(id!);
        if (fact) {
          if (!memory.forgetFact(Number(fact[1]))) throw new UsageError(`nothing to forget: no fact "${id}"`);
          return id!;
        }
        const threadRuns = memory.forgetThread(id!);
        if (!threadRuns) throw new UsageError(`nothing to forget: no thread "${id}"`);
        runs.push(...threadRuns.map((runId) => `${location}\u0000${runId}`));
        return `thread ${id}`;
      });
      // The thread's runs hold its questions and answers too (run.json inputs, outputs, events).
      const removed = await removeRuns(runs);
      const suffix = removed > 0 ? ` and ${removed} run record(s) of it` : '';
      print(flags.json ? JSON.stringify({ forgotten, runRecords: removed }) : `forgot ${forgotten}${suffix}`);
      return 0;
    }
    default:
      throw new UsageError(`\`agentpipe memory\` needs list, show or forget${action ? ` (not "${action}")` : ''}`);
  }
}

export const memoryCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('memory [action] [id]', 'Conversation threads and remembered facts: list, show <id>, forget <id|fact:n>')
      .option('--scope <name>', 'list/forget: only the facts of this scope')
      .option('--sim', 'The threads and facts of `run --sim` runs (kept apart from real ones)')
      .option('--json', 'Print JSON')
      .action((action: string | undefined, id: string | undefined, flags: MemoryFlags) => memoryCommand(action, id === undefined ? undefined : String(id), flags));
  },
};
