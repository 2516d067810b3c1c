// Loopback addresses: what serve and mcp serve may bind without authentication. Its own module so
// that `mcp serve` can check a host without loading Fastify.

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
