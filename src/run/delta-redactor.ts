// Streamed text is redacted like everything else, but a key can arrive split across two deltas,
// where redacting each delta alone would miss it. So the stream holds back as many characters as
// the longest form of a known secret (encoded forms included): any secret that starts in the released
// part has fully arrived.

import { longestSecretForm, registerSecretsFromEnv } from '../secrets.js';
import { redactSecrets } from '../tools/redact.js';

export interface DeltaRedactor {
  push(delta: string): void;
  /** Releases what is held back (end of a model call). */
  flush(): void;
}

export function createDeltaRedactor(env: NodeJS.ProcessEnv, release: (text: string) => void): DeltaRedactor {
  registerSecretsFromEnv(env);
  let pending = '';
  return {
    push(delta) {
      pending = redactSecrets(pending + delta, env);
      // Read per delta: a secret registered mid-run (a provider resolved late) widens the hold.
      const hold = longestSecretForm();
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
