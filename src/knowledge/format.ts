// How retrieved chunks are shown to a model: numbered sources with `file:line` provenance, in the
// same shape as web search results so that [n] reads the same everywhere.

import { charsPerToken } from '../search/format.js';
import type { RetrievedChunk } from './retrieve.js';

export const provenance = (chunk: RetrievedChunk): string => `${chunk.path}:${chunk.startLine}${chunk.endLine > chunk.startLine ? `-${chunk.endLine}` : ''}`;

export function formatChunk(chunk: RetrievedChunk, number: number): string {
  const heading = chunk.heading ? ` (${chunk.heading})` : '';
  const body = chunk.text.split('\n').map((line) => `    ${line}`).join('\n');
  return `[${number}] ${provenance(chunk)}${heading}\n${body}`;
}

export const formatChunkList = (chunks: RetrievedChunk[]): string =>
  chunks.length === 0 ? 'No matching passages in the knowledge index.' : chunks.map((chunk, index) => formatChunk(chunk, index + 1)).join('\n\n');

const header = (question: string) =>
  `Passages from the project's own documents that may answer "${question.length > 200 ? `${question.slice(0, 200)}…` : question}". ` +
  'When you use one, cite it as [n] with its file:line; do not invent sources.\n\n';

/** The system-prompt block: as many numbered chunks as fit in `maxTokens`; undefined when none. */
export function formatKnowledgeBlock(question: string, chunks: RetrievedChunk[], maxTokens: number): string | undefined {
  const budget = maxTokens * charsPerToken;
  let block = header(question);
  let count = 0;
  for (const [index, chunk] of chunks.entries()) {
    const entry = `${formatChunk(chunk, index + 1)}\n\n`;
    if (block.length + entry.length > budget) break;
    block += entry;
    count++;
  }
  return count > 0 ? block.trimEnd() : undefined;
}
