// A unified diff (the `diff` package) of an agent's rendered prompt, each hunk labelled with where
// its lines come from, as `render --explain` names them: `layer policy/safety (agents/layers/policy/safety.yaml:4)`.
// The text compared is every system part then the user message, each under a `## ` header line.

import { structuredPatch } from 'diff';
import type { RenderedPart } from '../compile/prompt.js';

export interface PromptHunk {
  /** `@@ -a,b +c,d @@` */
  header: string;
  /** The parts the changed lines belong to, on either side. */
  provenance: string[];
  lines: string[];
}

export interface PromptDiff {
  agent: string;
  change: 'added' | 'removed' | 'modified';
  /** The whole unified diff, provenance after each `@@ ... @@`. */
  diff: string;
  hunks: PromptHunk[];
}

interface Document {
  text: string;
  /** For each line (0-based), the part it belongs to (described only for changed lines: locating a source line re-parses its file). */
  owners: RenderedPart[];
}

const describePart = (part: RenderedPart): string => `${part.kind === 'user' ? 'user' : part.kind === 'layer' ? `layer ${part.name}` : 'system'} (${part.source.file}:${part.source.line})`;

function documentOf(parts: readonly RenderedPart[]): Document {
  const lines: string[] = [];
  const owners: RenderedPart[] = [];
  for (const part of parts) {
    const header = part.kind === 'user' ? '## user' : part.kind === 'layer' ? `## system: layer ${part.name}` : '## system: agent';
    for (const line of [header, ...part.text.split('\n'), '']) {
      lines.push(line);
      owners.push(part);
    }
  }
  return { text: `${lines.join('\n')}\n`, owners };
}

export function diffPrompts(agent: string, before: readonly RenderedPart[] | undefined, after: readonly RenderedPart[] | undefined, labels: { base: string; head: string }): PromptDiff | undefined {
  const old = documentOf(before ?? []);
  const now = documentOf(after ?? []);
  if (old.text === now.text) return undefined;
  const patch = structuredPatch(`a/${agent}`, `b/${agent}`, before ? old.text : '', after ? now.text : '', labels.base, labels.head, { context: 2 });
  const hunks: PromptHunk[] = patch.hunks.map((hunk) => {
    const provenance: string[] = [];
    let oldLine = hunk.oldStart - 1;
    let newLine = hunk.newStart - 1;
    for (const line of hunk.lines) {
      const mark = line[0];
      const part = mark === '-' ? old.owners[oldLine] : mark === '+' ? now.owners[newLine] : undefined;
      const owner = part === undefined ? undefined : describePart(part);
      if (owner !== undefined && !provenance.includes(owner)) provenance.push(owner);
      if (mark !== '+') oldLine += 1;
      if (mark !== '-') newLine += 1;
    }
    const header = `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
    return { header, provenance, lines: hunk.lines };
  });
  const text = [
    `--- a/${agent}\t${labels.base}`,
    `+++ b/${agent}\t${labels.head}`,
    ...hunks.flatMap((hunk) => [`${hunk.header} ${hunk.provenance.join('; ')}`, ...hunk.lines]),
  ].join('\n');
  return { agent, change: !before ? 'added' : !after ? 'removed' : 'modified', diff: `${text}\n`, hunks };
}
