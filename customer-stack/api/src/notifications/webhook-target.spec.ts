import { describe, expect, it } from '@jest/globals';
import { checkWebhookTarget, isPublicAddress } from './webhook-target.js';

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['192.0.2.5', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd12:3456::1', 'IPv6 unique local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata address'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['localhost', 'a name, not an address'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    ['93.184.215.14'],
    ['8.8.8.8'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001::200e'],
    ['::ffff:8.8.8.8'],
  ])('allows %s (public)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('checkWebhookTarget', () => {
  const refuse = { allowPrivate: false };

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://169.254.169.254/latest/meta-data',
    'https://10.0.0.5/hook',
    'http://localhost:3000/hook',
    'http://api.localhost/hook',
    'https://no-such-host.invalid/hook',
  ])('refuses %s', async (url) => {
    await expect(checkWebhookTarget(refuse, new URL(url))).rejects.toMatchObject({ name: 'WebhookTargetRefused' });
  });

  it('accepts a public address, and anything when private targets are allowed (development)', async () => {
    await expect(checkWebhookTarget(refuse, new URL('https://93.184.215.14/hook'))).resolves.toBeUndefined();
    await expect(checkWebhookTarget({ allowPrivate: true }, new URL('http://127.0.0.1:8080/hook'))).resolves.toBeUndefined();
  });
});
