// Which files an agent's knowledge covers: its `sources` globs, each match resolved and checked
// exactly like a `read` tool call (deny first, the .env floor, symlinks out of the workspace,
// max_bytes). A denied file is listed as denied and never read, chunked or embedded.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { KnowledgeSettings, ToolSet } from '../compile/ir.js';
import { authorizePath, checkSize } from '../tools/permissions.js';
import { ToolDeniedError, ToolFailedError } from '../tools/types.js';

export interface SourceFile {
  /** Workspace-relative, `/`-separated. */
  path: string;
  text: string;
  /** sha256 of the bytes. */
  contentHash: string;
}

export interface SourceListing {
  files: SourceFile[];
  /** Matched a source glob but refused by the read rules: never read. */
  denied: Array<{ path: string; reason: string }>;
}

export async function listSources(knowledge: KnowledgeSettings, toolSet: ToolSet): Promise<SourceListing> {
  const found = await glob(knowledge.sources, {
    cwd: toolSet.workspace,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    // The store itself and run state are never knowledge.
    ignore: ['.agentpipe/**'],
  });
  const listing: SourceListing = { files: [], denied: [] };
  for (const path of [...new Set(found)].sort()) {
    try {
      const resolved = await authorizePath(toolSet, path, 'read');
      const bytes = await readFile(resolved.real);
      checkSize(toolSet.permissions, 'read', bytes.length, path);
      // Binary files say nothing to a text index.
      if (bytes.subarray(0, 8000).includes(0)) continue;
      listing.files.push({ path, text: bytes.toString('utf8'), contentHash: createHash('sha256').update(bytes).digest('hex') });
    } catch (error) {
      if (!(error instanceof ToolDeniedError || error instanceof ToolFailedError)) throw error;
      listing.denied.push({ path, reason: error.message });
    }
  }
  return listing;
}
