// MCP tools are named `server.tool` in YAML. Vendors accept fewer characters on the wire (OpenAI and
// Anthropic: [A-Za-z0-9_-], at most 64; Gemini at most 63), so each tool gets a wire name that every
// vendor takes. The mapping is kept per expanded tool set (the spec holds server and tool), so a
// call on the wire always maps back to exactly one server tool, even when two names would sanitise
// alike.
import { createHash } from 'node:crypto';

/** The longest name every supported vendor accepts (Gemini's limit). */
export const maxWireNameLength = 63;

/** `github.search_issues` -> { server: 'github', tool: 'search_issues' }; undefined for a plain tool name. */
export function splitMcpName(name: string): { server: string; tool: string } | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return { server: name.slice(0, dot), tool: name.slice(dot + 1) };
}

/** `server__tool`, with characters vendors refuse replaced and an over-long name shortened by a hash. */
export function wireName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const plain = `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (plain.length <= maxWireNameLength && !taken.has(plain) && plain === `${server}__${tool}`) return plain;
  // Changed or too long: a hash of the real name keeps it unique and stable across runs.
  const hash = createHash('sha256').update(`${server}.${tool}`).digest('hex').slice(0, 8);
  return `${plain.slice(0, maxWireNameLength - hash.length - 1)}_${hash}`;
}

/** The name an MCP tool has in YAML, audit lines and events. */
export function displayName(server: string, tool: string): string {
  return `${server}.${tool}`;
}
