/**
 * Where data sources may connect. Addresses on this machine and on private networks are refused
 * unless the administrator allow-lists the host (PRIVATE_SOURCE_HOSTS): a pipeline or an upload
 * by URL must not become a way into the network Millrace runs in.
 */
import dns from "node:dns/promises";
import net, { type LookupFunction } from "node:net";
import { env } from "~/lib/env";
import { UserError } from "~/lib/errors";

const privateRanges = (() => {
  const list = new net.BlockList();
  for (const [net4, bits] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.168.0.0", 16], ["198.18.0.0", 15]] as const)
    list.addSubnet(net4, bits, "ipv4");
  // IPv4-mapped, NAT64 and 6to4 addresses can carry any of the IPv4 ranges above.
  for (const [net6, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["::ffff:0:0", 96], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["2002::", 16]] as const)
    list.addSubnet(net6, bits, "ipv6");
  return list;
})();

const isPrivateAddress = (address: string) => privateRanges.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");
export const isLoopback = (a: string) => a === "::1" || a.startsWith("127.");

/** The addresses a host name resolves to (an IP stands for itself). */
export async function resolveHost(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    return (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new UserError(`the host '${host}' does not resolve`);
  }
}

export const isAllowListed = (host: string) => env().privateSourceHosts.includes(host.toLowerCase());

/**
 * The addresses of `host` a source may connect to: all of them, or an error when one is private
 * and the host is not allow-listed. Callers connect to what this returned, so DNS cannot change
 * the answer between the check and the connection.
 */
export async function checkedAddresses(host: string, what: string): Promise<string[]> {
  const addresses = await resolveHost(host);
  if (!isAllowListed(host) && addresses.some(isPrivateAddress)) {
    throw new UserError(`the ${what} host '${host}' is on a private or loopback address; the server's administrator can allow it by adding the host to PRIVATE_SOURCE_HOSTS`);
  }
  return addresses;
}

/**
 * A DNS lookup for an HTTP request that only ever answers with checked addresses: the connection
 * goes where the check looked (no second resolution a short TTL could re-point). An IP literal
 * skips lookups, so callers check it with `checkedAddresses` first.
 */
export function checkedLookupFor(what: string): LookupFunction {
  return (hostname, options, callback) => {
    checkedAddresses(hostname, what).then(
      (addresses) => {
        const family = (a: string) => (a.includes(":") ? 6 : 4);
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, addresses.map((a) => ({ address: a, family: family(a) })));
        else callback(null, addresses[0]!, family(addresses[0]!));
      },
      (e: Error) => callback(e as NodeJS.ErrnoException, "", 4),
    );
  };
}
