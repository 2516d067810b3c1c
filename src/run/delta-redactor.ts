// Streamed text is redacted like everything else, but a key can arrive split across two deltas,
// where redacting each delta alone would miss it. So the stream holds back as many characters as
// the longest secret value: any secret that starts in the released part has fully arrived.

import { redactSecrets, secretValues } from '../tools/redact.js';

export interface DeltaRedactor {
  push(delta: string): void;
  /** Releases what is held back (end of a model call). */
  flush(): void;
}

export function createDeltaRedactor(env: NodeJS.ProcessEnv, release: (text: string) => void): DeltaRedactor {
  const hold = Math.max(0, ...secretValues(env).map((value) => value.length));
  let pending = '';
  return {
    push(delta) {
      pending = redactSecrets(pending + delta, env);
      if (pending.length <= hold) return;
      release(pending.slice(0, pending.length - hold));
      pending = pending.slice(pending.length - hold);
    },
    flush() {
      if (pending) release(redactSecrets(pending, env));
      pending = '';
    },
  };
}
