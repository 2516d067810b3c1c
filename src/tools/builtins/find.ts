// glob and grep: both list files with tinyglobby, then keep only what the `read` rules allow
// (each result is resolved and checked like a read, so symlinks out are dropped).

import { isAbsolute } from 'node:path';
import type { ToolSet } from '../../compile/ir.js';
import { globInWorker } from '../../regex/glob.js';
import { compileRegExp, withRegexWorker, type RegexWorker } from '../../regex/index.js';
import { readChecked } from '../open-checked.js';
import { authorizePath } from '../permissions.js';
import { ToolDeniedError, ToolFailedError, type BuiltinTool, type ToolRuntime } from '../types.js';
import { fileToolTimeoutMs } from './files.js';

const defaultGlobLimit = 200;
const defaultGrepMatches = 100;
/** Longest line shown in a grep match; minified files would otherwise flood the output. */
const maxLineLength = 400;

interface Listing {
  paths: string[];
  /** Files that matched the pattern but are hidden by the read rules. */
  hidden: number;
}

async function listReadableFiles(toolSet: ToolSet, pattern: string, signal: AbortSignal): Promise<Listing> {
  if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
    throw new ToolDeniedError('workspace', `pattern "${pattern}" may not be absolute or contain ".."`);
  }
  // In a worker: a pattern such as `*a*a*a*a*b` would otherwise block this thread for minutes.
  const found = await globInWorker(pattern, {
    cwd: toolSet.workspace,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    // agentpipe's own run state is never a tool's business, and it grows with every run: counting it
    // as "hidden" would make the same tool call answer differently from run to run (and break replay).
    ignore: ['.agentpipe/**'],
  }, signal).catch((error: unknown) => {
    signal.throwIfAborted();
    throw new ToolFailedError(`cannot list "${pattern}": ${(error as Error).message}`);
  });
  const listing: Listing = { paths: [], hidden: 0 };
  for (const path of found.sort()) {
    signal.throwIfAborted();
    try {
      await authorizePath(toolSet, path, 'read');
      listing.paths.push(path);
    } catch (error) {
      if (!(error instanceof ToolDeniedError || error instanceof ToolFailedError)) throw error;
      listing.hidden += 1;
    }
  }
  return listing;
}

function hiddenNote(hidden: number): string {
  return hidden > 0 ? `\n(${hidden} matching file(s) hidden by the read rules)` : '';
}

export const globTool: BuiltinTool = {
  name: 'glob',
  description: 'List workspace files matching a glob pattern (e.g. "src/**/*.ts"). Only files the read rules allow are listed.',
  inputSchema: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'Glob relative to the workspace root' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, description: `Maximum paths returned (default ${defaultGlobLimit})` },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  timeoutMs: () => fileToolTimeoutMs,
  async run(input, runtime) {
    const { pattern, limit = defaultGlobLimit } = input as { pattern: string; limit?: number };
    const { paths, hidden } = await listReadableFiles(runtime.toolSet, pattern, runtime.signal);
    if (paths.length === 0) return { output: `no files match "${pattern}"${hiddenNote(hidden)}` };
    const more = paths.length > limit ? `\n(${paths.length - limit} more not shown)` : '';
    return { output: paths.slice(0, limit).join('\n') + more + hiddenNote(hidden) };
  },
};

class TooLarge extends Error {}

async function grepFile(runtime: ToolRuntime, worker: RegexWorker, path: string, matches: string[], maxMatches: number): Promise<void> {
  const target = await authorizePath(runtime.toolSet, path, 'read');
  const limit = runtime.toolSet.permissions.read.maxBytes;
  let buffer: Buffer;
  try {
    buffer = await readChecked(runtime.toolSet, target, (size) => {
      if (size > limit) throw new TooLarge();
    });
  } catch (error) {
    // A file grep cannot search (too big, not regular, a hard link) is skipped, as a binary one is.
    if (error instanceof TooLarge || error instanceof ToolFailedError || error instanceof ToolDeniedError) return;
    throw error;
  }
  if (buffer.includes(0)) return;
  // Matched in the worker: a catastrophic pattern blocks it, never this thread.
  for (const [line, text] of await worker.matchLines(buffer.toString('utf8'), maxMatches - matches.length, maxLineLength)) {
    matches.push(`${path}:${line}: ${text}`);
  }
}

export const grepTool: BuiltinTool = {
  name: 'grep',
  description: 'Search readable workspace files for a JavaScript regular expression; returns "path:line: text" per match.',
  inputSchema: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression, matched per line' },
      glob: { type: 'string', minLength: 1, description: 'Which files to search (default "**/*")' },
      ignore_case: { type: 'boolean', description: 'Case-insensitive match (default false)' },
      max_matches: { type: 'integer', minimum: 1, maximum: 1000, description: `Stop after this many matches (default ${defaultGrepMatches})` },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  timeoutMs: () => fileToolTimeoutMs,
  async run(input, runtime) {
    const { pattern, glob = '**/*', ignore_case: ignoreCase = false, max_matches: maxMatches = defaultGrepMatches } = input as {
      pattern: string;
      glob?: string;
      ignore_case?: boolean;
      max_matches?: number;
    };
    const flags = ignoreCase ? 'i' : '';
    const compiled = compileRegExp(pattern, flags);
    if (typeof compiled === 'string') throw new ToolFailedError(`invalid regular expression: ${compiled}`);
    const { paths, hidden } = await listReadableFiles(runtime.toolSet, glob, runtime.signal);
    const matches: string[] = [];
    if (paths.length > 0) {
      await withRegexWorker(pattern, flags, runtime.signal, async (worker) => {
        for (const path of paths) {
          if (matches.length >= maxMatches) break;
          runtime.signal.throwIfAborted();
          await grepFile(runtime, worker, path, matches, maxMatches);
        }
      });
    }
    if (matches.length === 0) return { output: `no matches for /${pattern}/${hiddenNote(hidden)}` };
    const capped = matches.length >= maxMatches ? `\n(stopped at ${maxMatches} matches)` : '';
    return { output: matches.join('\n') + capped + hiddenNote(hidden) };
  },
};
