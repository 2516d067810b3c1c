// The last line of defence for stdout and stderr: every string or buffer the process writes there
// passes through redactSecrets, so no code path (a progress line, a warning, a library's message)
// can print a known secret. Installed once by the CLI before any command runs.

import { redactSecrets } from '../secrets.js';

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

function guard(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as Write;
  const guarded: Write = (chunk, ...rest) => {
    if (typeof chunk === 'string') return original(redactSecrets(chunk), ...rest);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk).toString('utf8');
      const redacted = redactSecrets(text);
      return original(redacted === text ? chunk : redacted, ...rest);
    }
    return original(chunk, ...rest);
  };
  stream.write = guarded as typeof stream.write;
}

let installed = false;

export function guardProcessOutput(): void {
  if (installed) return;
  installed = true;
  guard(process.stdout);
  guard(process.stderr);
}
