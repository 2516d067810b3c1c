// Which env var names hold secrets. Values are what redaction matches (src/secrets/registry.ts);
// names decide which values are registered without anyone asking, and which variables a tool's
// environment never receives. Over-matching costs little: a redacted socket path, a scrubbed variable.

/** Matched case-insensitively anywhere in the name: OPENAI_API_KEY, MY_WEIRD_TOKEN_HOLDER, AZURE_OPENAI_KEY, DB_PASSWORD. */
const secretNamePattern = /(_API_KEY|APIKEY|_TOKEN|TOKEN_|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY|(?:^|_)KEY(?:_|$)|(?:^|_)AUTH(?:_|$))/i;

export function isSecretEnvName(name: string): boolean {
  return secretNamePattern.test(name);
}
