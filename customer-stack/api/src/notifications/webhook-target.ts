// Where a tenant's webhook may point. The stack sits inside a private network, so a URL that
// reaches loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// multicast or reserved addresses would let a tenant admin make the stack call its own
// neighbours (SSRF). Such targets are refused when an endpoint is registered, and again at every
// send against the addresses the connection actually uses (a name may resolve elsewhere later:
// DNS rebinding). Development and tests may allow private targets (a local receiver); production
// never does (the configuration refuses it).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** IPv4 and IPv6 ranges that are not the public internet (IANA special-purpose registries). */
const NON_PUBLIC_V4 = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const;
const NON_PUBLIC_V6 = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const;

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of NON_PUBLIC_V4) NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of NON_PUBLIC_V6) NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** An IPv4 address embedded in an IPv6 one (mapped `::ffff:a.b.c.d` or compatible), else undefined. */
function embeddedV4(address: string): string | undefined {
  const dotted = /^::(?:ffff:(?:0:)?)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const [, highHex, lowHex] = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address) ?? [];
  if (highHex === undefined || lowHex === undefined) return undefined;
  const high = Number.parseInt(highHex, 16);
  const low = Number.parseInt(lowHex, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** True only for an address on the public internet; anything unparsable is not. */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return !NON_PUBLIC.check(bare, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedV4(bare);
  if (v4 !== undefined) return isIP(v4) === 4 && !NON_PUBLIC.check(v4, 'ipv4');
  return !NON_PUBLIC.check(bare, 'ipv6');
}

export interface WebhookTargetPolicy {
  /** Development and tests only: a local receiver on loopback or a private network. */
  readonly allowPrivate: boolean;
}

export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

export function addressAllowed(policy: WebhookTargetPolicy, address: string): boolean {
  return policy.allowPrivate || isPublicAddress(address);
}

/** The host of a URL as an IP literal (brackets removed), or undefined for a name. */
function ipLiteral(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? undefined : host;
}

/**
 * At registration: every address the host resolves to now must be allowed. Throws
 * WebhookTargetRefused naming the reason (never the addresses).
 */
export async function checkWebhookTarget(policy: WebhookTargetPolicy, url: URL): Promise<void> {
  if (policy.allowPrivate) return;
  const literal = ipLiteral(url);
  if (literal !== undefined) {
    if (!isPublicAddress(literal)) throw new WebhookTargetRefused('the URL names a loopback, private, link-local or reserved address');
    return;
  }
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) throw new WebhookTargetRefused('the URL names this machine');
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAsync(url.hostname, { all: true, verbatim: true });
  } catch {
    throw new WebhookTargetRefused('the host name does not resolve');
  }
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
    throw new WebhookTargetRefused('the host name resolves to a loopback, private, link-local or reserved address');
  }
}

/**
 * At send time: a DNS lookup for the HTTP client that fails the connection when any resolved
 * address is not allowed, so the address checked is the address connected to.
 */
export function guardedLookup(policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (addresses.length === 0 || !addresses.every((a) => addressAllowed(policy, a.address))) {
        return callback(new WebhookTargetRefused('the host resolves to a refused address'), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}

/** The literal address of a URL, when it names one, checked before a send (a literal skips DNS). */
export function literalAllowed(policy: WebhookTargetPolicy, url: URL): boolean {
  const literal = ipLiteral(url);
  return literal === undefined || addressAllowed(policy, literal);
}
