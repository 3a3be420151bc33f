/** `#token=abc` (possibly among other hash params) → `abc`; null when absent. */
export function tokenFromHash(hash: string): string | null {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq) !== 'token') continue;
    const value = decodeURIComponent(part.slice(eq + 1)).trim();
    return value.length > 0 ? value : null;
  }
  return null;
}

/** The shell's WebSocket URL for a page served from `host` (ws, or wss behind https). */
export function wsUrl(protocol: string, host: string, token: string): string {
  const scheme = protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${host}/api?token=${encodeURIComponent(token)}`;
}
