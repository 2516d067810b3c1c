// Which Anthropic API version a call speaks, and what it means for sampling settings.
// @anthropic-ai/sdk 1.x sends `anthropic-version: 2026-10-21`, which rejects temperature, top_p and
// top_k with a 400 ("temperature: Extra inputs are not permitted"), even at their default values.
// A provider keeps them by pinning the previous version in providers.yaml:
// `headers: { anthropic-version: "2023-06-01" }` (provider headers override the SDK's).

import type { CallOptions, CallWarning } from '../types.js';

export type AnthropicApiVersion = string;

/** What the installed SDK sends when no provider header overrides it. */
export const sdkAnthropicVersion: AnthropicApiVersion = '2026-10-21';

/** The version a provider's calls carry: its `anthropic-version` header (any case), else the SDK's. */
export function anthropicApiVersion(headers: Record<string, string> | undefined): AnthropicApiVersion {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'anthropic-version');
  return entry?.[1].trim() || sdkAnthropicVersion;
}

/** Versions are ISO dates, so they order as strings. */
export const acceptsSamplingSettings = (version: AnthropicApiVersion) => version < '2026-10-21';

/**
 * Structured outputs (`output_config.format`) are part of the API version SDK 1.x speaks and types;
 * a provider pinned to an older version gets them as a forced tool call instead.
 */
export const offersOutputConfig = (version: AnthropicApiVersion) => version >= sdkAnthropicVersion;

/** temperature / top_p as the version allows them; whatever is not sent comes back as a warning. */
export function anthropicSamplingSettings(
  options: Pick<CallOptions, 'temperature' | 'topP'>,
  version: AnthropicApiVersion = sdkAnthropicVersion,
  warnings: CallWarning[],
): { temperature?: number; top_p?: number } {
  if (!acceptsSamplingSettings(version)) {
    for (const setting of ['temperature', 'topP'] as const) {
      if (options[setting] === undefined) continue;
      warnings.push({
        type: 'unsupported-setting',
        setting,
        message: `Anthropic API ${version} rejects ${setting}; not sent (pin anthropic-version: 2023-06-01 in the provider's headers to keep it)`,
      });
    }
    return {};
  }
  const settings: { temperature?: number; top_p?: number } = {};
  if (options.temperature !== undefined) {
    // Anthropic's range is 0..1; the agent schema allows OpenAI's 0..2.
    settings.temperature = Math.min(1, options.temperature);
    if (options.temperature > 1)
      warnings.push({ type: 'unsupported-setting', setting: 'temperature', message: `Anthropic accepts temperature up to 1; ${options.temperature} sent as 1` });
  }
  if (options.topP !== undefined) {
    // Current Claude models reject temperature and top_p together; temperature wins.
    if (options.temperature !== undefined)
      warnings.push({ type: 'unsupported-setting', setting: 'topP', message: 'Anthropic does not accept topP together with temperature; topP dropped' });
    else settings.top_p = options.topP;
  }
  return settings;
}
