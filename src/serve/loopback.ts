// Loopback: what serve and mcp serve may bind, and whom they answer, without authentication. Its own
// module so that `mcp serve` can use it without loading Fastify.

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const bracketless = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Why a request to an unauthenticated loopback server comes from a browser page it must not serve, or
 * undefined. A page whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own Host; a page
 * calling us directly sends its Origin (WebSockets and simple requests need no CORS consent).
 */
export function foreignBrowserRefusal(host: string | undefined, origin: string | undefined): string | undefined {
  const hostname = bracketless((host ?? '').replace(/:\d+$/, ''));
  if (!isLoopback(hostname)) return `Host \`${(host ?? '').slice(0, 100)}\` is not this loopback server`;
  if (origin === undefined) return undefined;
  try {
    if (isLoopback(bracketless(new URL(origin).hostname))) return undefined;
  } catch {
    // not a URL ("null" from a sandboxed page included): refused below
  }
  return `Origin \`${origin.slice(0, 100)}\` may not call this server`;
}
