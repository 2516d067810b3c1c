// Cutting a source file into chunks with `file:line` provenance. The cut follows the file's own
// structure so a chunk is about one thing:
// - markdown: sections under headings (the heading trail is kept with each chunk), then paragraphs,
//   and a fenced code block is never cut in the middle unless it alone is over the size;
// - code: top-level declarations (a line starting at column 0 with a declaration keyword, a
//   decorator or a doc comment begins a new unit);
// - other text: paragraphs.
// Units are packed into chunks of at most `size` tokens (about 4 characters each); a unit that is
// larger is cut at line boundaries. Consecutive chunks of one section share `overlap` tokens of
// trailing lines, so a sentence at a cut is found from either side.

import { charsPerToken } from '../search/format.js';
import type { ChunkInput } from '../store/types.js';

export interface ChunkOptions {
  /** Most tokens in a chunk. */
  size: number;
  /** Tokens repeated from the end of one chunk at the start of the next (same section only). */
  overlap: number;
}

export const defaultChunkOptions: ChunkOptions = { size: 400, overlap: 50 };

interface Unit {
  /** 0-based line indexes, end exclusive. */
  start: number;
  end: number;
  /** Section id: chunks never overlap across sections. */
  section: number;
  heading?: string;
}

const codeExtensions = /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|rb|php|cs|c|cc|cpp|h|hpp|swift|scala|sh|sql)$/i;
const markdownExtensions = /\.(?:md|mdx|markdown)$/i;
const declaration =
  /^(?:export\s+|public\s+|private\s+|protected\s+|async\s+|static\s+|abstract\s+|pub(?:\(crate\))?\s+)*(?:function|class|interface|type|enum|const|let|var|def|fn|func|struct|impl|trait|module|namespace|package|import|from|@\w|\/\*\*|#\s*region)\b|^@\w/;

export function fileKind(path: string): 'markdown' | 'code' | 'text' {
  if (markdownExtensions.test(path)) return 'markdown';
  if (codeExtensions.test(path)) return 'code';
  return 'text';
}

function markdownUnits(lines: string[]): Unit[] {
  const units: Unit[] = [];
  const trail: string[] = [];
  let section = 0;
  let start = 0;
  let inFence = false;
  const close = (end: number) => {
    if (end > start && lines.slice(start, end).some((line) => line.trim() !== '')) {
      const heading = trail.filter(Boolean).join(' > ');
      units.push({ start, end, section, ...(heading ? { heading } : {}) });
    }
    start = end;
  };
  for (const [index, line] of lines.entries()) {
    if (/^\s*(```|~~~)/.test(line)) {
      if (!inFence) close(index);
      inFence = !inFence;
      if (!inFence) close(index + 1);
      continue;
    }
    if (inFence) continue;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      close(index);
      const level = heading[1]!.length;
      trail.length = level - 1;
      trail[level - 1] = heading[2]!;
      section++;
    } else if (line.trim() === '') close(index + 1);
  }
  close(lines.length);
  return units;
}

function codeUnits(lines: string[]): Unit[] {
  const units: Unit[] = [];
  let start = 0;
  for (const [index, line] of lines.entries()) {
    // A declaration at column 0 starts a unit, unless the previous lines are its comment or decorator.
    if (index > start && declaration.test(line) && !/^(?:\/\/|#|@|\/\*\*| \*)/.test(lines[index - 1] ?? '')) {
      units.push({ start, end: index, section: units.length });
      start = index;
    }
  }
  units.push({ start, end: lines.length, section: units.length });
  return units.filter((unit) => lines.slice(unit.start, unit.end).some((line) => line.trim() !== ''));
}

function textUnits(lines: string[]): Unit[] {
  const units: Unit[] = [];
  let start = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') {
      if (index > start) units.push({ start, end: index, section: 0 });
      start = index + 1;
    }
  }
  if (start < lines.length) units.push({ start, end: lines.length, section: 0 });
  return units;
}

/** Chunks of one file's text. Lines in the result are 1-based and inclusive. */
export function chunkText(path: string, text: string, options: ChunkOptions = defaultChunkOptions): ChunkInput[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kind = fileKind(path);
  const units = kind === 'markdown' ? markdownUnits(lines) : kind === 'code' ? codeUnits(lines) : textUnits(lines);
  const maxChars = Math.max(200, options.size * charsPerToken);
  const overlapChars = Math.max(0, Math.min(options.overlap * charsPerToken, maxChars / 2));
  const lengthOf = (start: number, end: number) => lines.slice(start, end).reduce((sum, line) => sum + line.length + 1, 0);

  const chunks: ChunkInput[] = [];
  let current: { start: number; end: number; section: number; heading?: string } | undefined;
  const emit = () => {
    if (!current) return;
    let { start } = current;
    let end = current.end;
    while (start < end && lines[start]!.trim() === '') start++;
    while (end > start && lines[end - 1]!.trim() === '') end--;
    if (end > start) chunks.push({ path, startLine: start + 1, endLine: end, ...(current.heading ? { heading: current.heading } : {}), text: lines.slice(start, end).join('\n') });
  };
  /** Where a chunk following one that ended at `end` starts, to repeat about `overlapChars` of it. */
  const overlapStart = (start: number, end: number) => {
    let from = end;
    while (from > start + 1 && lengthOf(from - 1, end) <= overlapChars) from--;
    return from;
  };

  for (const unit of units) {
    // Cut an oversized unit at line boundaries first (a single huge line stays whole: it is one line).
    const pieces: Array<{ start: number; end: number }> = [];
    let pieceStart = unit.start;
    for (let line = unit.start; line < unit.end; line++) {
      if (line > pieceStart && lengthOf(pieceStart, line + 1) > maxChars) {
        pieces.push({ start: pieceStart, end: line });
        pieceStart = Math.max(overlapStart(pieceStart, line), pieceStart + 1);
      }
    }
    pieces.push({ start: pieceStart, end: unit.end });
    for (const piece of pieces) {
      const fits = current && current.section === unit.section && lengthOf(current.start, piece.end) <= maxChars;
      if (current && fits) {
        current.end = piece.end;
        continue;
      }
      const sameSection = current?.section === unit.section;
      const previous = current;
      emit();
      const start = sameSection && previous && previous.end === piece.start ? Math.min(piece.start, overlapStart(previous.start, previous.end)) : piece.start;
      current = { start, end: piece.end, section: unit.section, ...(unit.heading ? { heading: unit.heading } : {}) };
    }
  }
  emit();
  return chunks;
}
