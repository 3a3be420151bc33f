import { BlockList, isIP } from 'node:net';

export { isLoopbackHost } from '../config/provisioning.js';

/**
 * The client allow-list: exact addresses or CIDR ranges (`192.168.10.21`, `192.168.10.0/24`,
 * `fd00::/64`). IPv4-mapped IPv6 peers (`::ffff:a.b.c.d`) are matched as IPv4.
 */
export function parseAllowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    if (family === 0) throw new Error(`windowApi.allow: not an IP address: ${entry}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
        throw new Error(`windowApi.allow: bad prefix length in ${entry}`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

export function addressAllowed(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const plain = mapped ? (mapped[1] as string) : address;
  const family = isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
