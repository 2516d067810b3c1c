// The cassette on disk: pretty JSON, `version: 1`, who recorded it and for which target, then every
// model call in the order it started. Written atomically (temp file + rename) after each call, so a
// crashed or interrupted run still leaves a readable cassette. Redacted like every other run file.

import { readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompiledPipeline, ErrorClass } from '../compile/ir.js';
import { UsageError } from '../errors.js';
import { insideRoot } from '../tools/paths.js';
import { checkPathRules } from '../tools/permissions.js';
import type { GenerateResult, StreamPart, Usage } from '../providers/types.js';
import { isSecretEnvName, redactValue } from '../tools/redact.js';
import type { NormalisedRequest } from './cassette-key.js';

export const cassetteVersion = 1;

/** A call that failed when recorded; replay throws the same class so retry and fallback repeat. */
export interface RecordedError {
  errorClass: ErrorClass;
  status?: number;
  retryAfterMs?: number;
  message?: string;
}

interface CallBase {
  /** sha256 of the model id and the normalised request (see cassette-key.ts). */
  key: string;
  /** `provider/model` as written in providers.yaml. */
  model: string;
  /** What was sent, normalised and redacted: shown when a replayed request does not match. */
  request: NormalisedRequest;
  error?: RecordedError;
}

/**
 * An embeddings call (knowledge retrieval, recall of facts): the values sent, and the vectors as
 * base64 of little-endian float32 (a 1,536-dim vector is 8 KB of text instead of about 30 KB).
 */
export interface RecordedEmbedCall extends Omit<CallBase, 'request'> {
  kind: 'embed';
  request: { values: string[] };
  result?: { embeddings: string[]; usage: Usage };
}

export type RecordedChatCall = (CallBase & { kind: 'generate'; result?: GenerateResult }) | (CallBase & { kind: 'stream'; parts: StreamPart[] });
export type RecordedCall = RecordedChatCall | RecordedEmbedCall;

export const encodeVector = (vector: readonly number[]): string => Buffer.from(Float32Array.from(vector).buffer).toString('base64');
export function decodeVector(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.byteLength - (bytes.byteLength % 4));
  copy.set(bytes.subarray(0, copy.byteLength));
  return Array.from(new Float32Array(copy.buffer));
}

export interface CassetteMetadata {
  agentpipe: string;
  recordedAt: string;
  /** The agent or template file, relative to the project root. */
  target: string;
  inputs?: Record<string, unknown>;
}

export interface Cassette {
  version: typeof cassetteVersion;
  metadata: CassetteMetadata;
  calls: RecordedCall[];
}

export function agentpipeVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function readCassette(path: string): Promise<Cassette> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(missing ? `cassette ${path} does not exist; record one with \`agentpipe run <file> --record ${path}\`` : `cannot read cassette ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`cassette ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const problem = shapeProblem(parsed);
  if (problem) throw new UsageError(`cassette ${path} is not an agentpipe cassette: ${problem}`);
  return parsed as Cassette;
}

/** Enough checking that replay never trips over a hand-edited or foreign file with a TypeError. */
function shapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected a JSON object';
  if (value['version'] !== cassetteVersion) return `version ${JSON.stringify(value['version'])} is not supported (expected ${cassetteVersion})`;
  if (!isRecord(value['metadata'])) return 'no metadata';
  const calls = value['calls'];
  if (!Array.isArray(calls)) return 'no calls array';
  for (const [index, call] of calls.entries()) {
    const ok =
      isRecord(call) &&
      typeof call['key'] === 'string' &&
      typeof call['model'] === 'string' &&
      isRecord(call['request']) &&
      (call['kind'] === 'generate'
        ? call['error'] !== undefined || isRecord(call['result'])
        : call['kind'] === 'embed'
          ? Array.isArray(call['request']['values']) && (call['error'] !== undefined || (isRecord(call['result']) && Array.isArray(call['result']['embeddings']) && isRecord(call['result']['usage'])))
          : call['kind'] === 'stream' && Array.isArray(call['parts']));
    if (!ok) return `calls[${index}] is malformed`;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Writes the cassette again after each finished call; one write at a time, the latest state wins. */
export class CassetteWriter {
  private pending: Promise<void> = Promise.resolve();
  private queued = false;
  private failure: unknown;
  private counter = 0;
  private readonly secretEnv: NodeJS.ProcessEnv;

  constructor(
    readonly path: string,
    private readonly snapshot: () => Cassette,
    env: NodeJS.ProcessEnv,
  ) {
    this.secretEnv = Object.fromEntries(Object.entries(env).filter(([name]) => isSecretEnvName(name)));
  }

  save(): void {
    if (this.queued) return;
    this.queued = true;
    this.pending = this.pending.then(async () => {
      this.queued = false;
      try {
        await this.write();
      } catch (error) {
        this.failure ??= error;
      }
    });
  }

  /** Waits for the last write; throws if any write failed. */
  async flush(): Promise<void> {
    this.save();
    await this.pending;
    if (this.failure) throw this.failure;
  }

  private async write(): Promise<void> {
    const text = `${JSON.stringify(redactValue(this.snapshot(), this.secretEnv), null, 2)}\n`;
    const temp = `${this.path}.${process.pid}.${this.counter++}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(temp, text, 'utf8');
    await rename(temp, this.path);
  }
}

/**
 * Agents whose tools may read the cassette file. What such a tool sees differs between recording
 * (the cassette is absent or growing) and replay (it is complete), so its result, and with it the
 * next request key, would not match. The CLI warns; the fix is a path outside the workspace or in read.deny.
 */
export function agentsThatCanReadCassette(pipeline: CompiledPipeline, path: string): string[] {
  let absolute = resolve(path);
  try {
    absolute = join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    // The folder does not exist yet: the lexical path is what a tool would resolve too.
  }
  const agents = new Set<string>();
  for (const { agent } of pipeline.steps) {
    const relative = agent.toolSet.tools.length > 0 ? insideRoot(agent.toolSet.workspace, absolute) : undefined;
    if (relative === undefined) continue;
    try {
      checkPathRules(agent.toolSet.permissions, 'read', [relative]);
      agents.add(agent.name);
    } catch {
      // Denied to read: the agent cannot see the cassette.
    }
  }
  return [...agents];
}
