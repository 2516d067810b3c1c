// Bytes -> text for one config file. Config files are UTF-8 text: a file with NUL bytes is binary
// (or UTF-16) and is not parsed; invalid UTF-8 is reported where it is, since the prompts would reach
// the model garbled; a leading byte order mark is dropped, as editors hide it.

import { isUtf8 } from 'node:buffer';
import type { Diagnostic } from '../errors.js';

export type DecodedFile = { text: string; diagnostics: Diagnostic[] } | { binary: Diagnostic };

const byteOrderMark = 0xfeff;

export function decodeConfigFile(buffer: Buffer, file: string): DecodedFile {
  // memchr: nearly free, and the only reliable sign of a binary file.
  if (buffer.indexOf(0) !== -1) {
    const utf16 = (buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff);
    const message = utf16 ? 'not a UTF-8 text file: it is UTF-16' : 'not a text file: it holds NUL bytes (a binary file with a .yaml name?)';
    const fix = utf16 ? 're-save it as UTF-8' : 'move it out of the config folders, or replace it with the YAML it should be';
    return { binary: { severity: 'error', code: 'load/not-text', file, line: 1, col: 1, message, fix } };
  }
  let text = buffer.toString('utf8');
  const diagnostics: Diagnostic[] = [];
  // The decoder turns each invalid sequence into U+FFFD; a file may also hold a real, valid U+FFFD.
  if (text.includes('\uFFFD') && !isUtf8(buffer)) diagnostics.push(invalidUtf8(buffer, file));
  if (text.charCodeAt(0) === byteOrderMark) text = text.slice(1);
  return { text, diagnostics };
}

function invalidUtf8(buffer: Buffer, file: string): Diagnostic {
  const offset = firstInvalidByte(buffer);
  const lineStart = buffer.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let index = buffer.indexOf(0x0a); index !== -1 && index < offset; index = buffer.indexOf(0x0a, index + 1)) line++;
  // Everything before the bad byte on its line is valid, so it decodes to exactly the characters shown.
  const bom = line === 1 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const col = buffer.subarray(lineStart + bom, offset).toString('utf8').length + 1;
  const byte = (buffer[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return {
    severity: 'error', code: 'load/encoding', file, line, col,
    message: `invalid UTF-8 (byte 0x${byte}): the file is not UTF-8, so its text would reach the model garbled`,
    fix: 're-save the file as UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8 in.yaml > out.yaml`)',
  };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(buffer: Buffer): number {
  for (let index = 0; index < buffer.length; ) {
    const byte = buffer[index] ?? 0;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return index;
    for (let next = 1; next < length; next++) {
      if (((buffer[index + next] ?? 0) & 0xc0) !== 0x80) return index;
    }
    // Overlong, surrogate and out-of-range sequences have valid-looking bytes but are invalid too.
    const second = buffer[index + 1] ?? 0;
    if ((byte === 0xe0 && second < 0xa0) || (byte === 0xed && second > 0x9f) || (byte === 0xf0 && second < 0x90) || (byte === 0xf4 && second > 0x8f)) return index;
    index += length;
  }
  return buffer.length;
}
