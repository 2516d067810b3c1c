// `agentpipe queue status --queue redis://...`: waiting, active, failed and completed jobs, the
// workers connected and the spend of finished jobs. Reads Redis only; runs nothing.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface QueueFlags {
  queue?: string;
  json?: boolean;
}

export async function queueCommand(action: string, flags: QueueFlags): Promise<number> {
  const [{ parseQueueAddress }, { queueStatus, formatQueueStatus }, { guardOutput }, { UsageError }] = await Promise.all([
    import('../../queue/connection.js'),
    import('../../queue/status.js'),
    import('../progress/streams.js'),
    import('../../errors.js'),
  ]);
  if (action !== 'status') throw new UsageError(`unknown queue action '${action}'; the only one is \`agentpipe queue status --queue <redis-url>\``);
  const status = await queueStatus(parseQueueAddress(flags.queue));
  guardOutput().out(flags.json ? `${JSON.stringify(status)}\n` : formatQueueStatus(status));
  return 0;
}

export const queueCommandModule: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('queue <action>', 'Queue state: `queue status` shows waiting, active, failed, completed jobs and spend')
      .option('--queue <redis-url>', 'redis://host:port[/db][?name=queue]')
      .option('--json', 'Print JSON')
      .action(async (action: string, flags: QueueFlags) => {
        const code = await queueCommand(action, flags);
        setTimeout(() => process.exit(code), 1500).unref();
        return code;
      });
  },
};
