// The list of verbs. Each module only registers options and a lazy action; keep imports here cheap.
import type { CAC } from 'cac';
import { initCommand } from './init.js';
import { lintCommand } from './lint.js';
import { listCommand } from './list.js';
import { schemaCommand } from './schema.js';
import { runCommandModule } from './run.js';
import { runsCommandModule } from './runs.js';
import { renderCommand } from './render.js';
import { explainCommand } from './explain.js';
import { estimateCommand } from './estimate.js';
import { modelsCommand } from './models.js';
import { diffCommand } from './diff.js';
import { testCommand } from './test.js';
import { serveCommandModule } from './serve.js';
import { keysCommandModule } from './keys.js';
import { indexCommandModule } from './index-knowledge.js';
import { memoryCommandModule } from './memory.js';
import { batchCommandModule } from './batch.js';
import { workerCommandModule } from './worker.js';
import { queueCommandModule } from './queue.js';
import { mcpCommand } from './mcp.js';

export interface CommandModule {
  register(cli: CAC): void;
}

export const commands: CommandModule[] = [lintCommand, schemaCommand, listCommand, initCommand, runCommandModule, runsCommandModule, renderCommand, explainCommand, estimateCommand, modelsCommand, diffCommand, testCommand, serveCommandModule, keysCommandModule, indexCommandModule, memoryCommandModule, batchCommandModule, workerCommandModule, queueCommandModule, mcpCommand];
