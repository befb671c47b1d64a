import ipaddr from 'ipaddr.js';

/**
 * The key under which limits count a client address. An IPv6 client is counted by its /64: that is
 * one subscriber's network, and any host in it can pick a new address at will, so counting single
 * IPv6 addresses would give an attacker 2^64 fresh budgets. IPv4-mapped IPv6 counts as the IPv4
 * address it is.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const hextets = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${hextets.join(':')}::/64`;
}
