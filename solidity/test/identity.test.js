import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Wallet, hexlify, toUtf8Bytes } from 'ethers';
import {
  CLAIM_SCHEME_ECDSA,
  CLAIM_TOPICS,
  KEY_PURPOSES,
  addressKey,
  claimId,
  deployClaimIssuer,
  deployContract,
  registerInvestor,
  signClaim,
} from '../src/index.js';
import { COUNTRY, deployFixture, expectRevert, startChain } from './fixture.js';

let chain;
let f;
let registry;

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  registry = f.suite.contracts.identityRegistry;
});
afterAll(async () => {
  await chain?.close();
});
beforeEach(() => chain.snapshot());
afterEach(() => chain.revert());

const KYC = CLAIM_TOPICS.KYC;
const DATA = hexlify(toUtf8Bytes('kyc-ref:opaque-7f3a')); // a reference, never personal data

async function bareIdentity() {
  const { contract } = await deployContract(f.admin, 'Identity', [f.addr.admin]);
  return contract;
}

describe('claims (ONCHAINID-style)', () => {
  it('verifies a wallet whose identity holds a trusted issuer claim for every required topic', async () => {
    expect(await registry.isVerified(f.addr.alice)).toBe(true);
    const [topic, scheme, issuer, , data] = await f.identities.alice.getClaim(claimId(await f.issuer.getAddress(), KYC));
    expect([topic, scheme, issuer, data]).toEqual([KYC, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), '0x']);
  });

  it('rejects a claim from an issuer that is not trusted', async () => {
    const rogueSigner = Wallet.createRandom();
    const rogue = await deployClaimIssuer(f.admin, rogueSigner.address);
    await registerInvestor(f.admin, {
      identityRegistry: registry,
      wallet: f.addr.dave,
      country: COUNTRY.FR,
      claimIssuer: await rogue.getAddress(),
      claimSigner: rogueSigner,
    });
    expect(await registry.contains(f.addr.dave)).toBe(true);
    expect(await registry.isVerified(f.addr.dave)).toBe(false);
    await expectRevert(f.asAgent.mint(f.addr.dave, 1n), 'ReceiverNotVerified', [f.addr.dave]);
  });

  it('rejects a claim signed by a key the trusted issuer does not hold', async () => {
    const identity = await bareIdentity();
    const forger = Wallet.createRandom();
    const signature = await signClaim(forger, await identity.getAddress(), KYC, DATA);
    await expectRevert(
      identity.addClaim(KYC, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), signature, DATA, ''),
      'InvalidClaim',
    );
  });

  it('rejects a claim signed for another identity (no replay)', async () => {
    const identity = await bareIdentity();
    const signature = await signClaim(f.claimSigner, await f.identities.alice.getAddress(), KYC, DATA);
    expect(await f.issuer.isClaimValid(await identity.getAddress(), KYC, signature, DATA)).toBe(false);
    await expectRevert(
      identity.addClaim(KYC, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), signature, DATA, ''),
      'InvalidClaim',
    );
  });

  it('stops verifying after the issuer revokes the claim or loses its claim key', async () => {
    const [, , , signature] = await f.identities.alice.getClaim(claimId(await f.issuer.getAddress(), KYC));
    await (await f.issuer.revokeClaimBySignature(signature)).wait();
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
    await expectRevert(f.issuer.revokeClaimBySignature.staticCall(signature), 'ClaimAlreadyRevoked');
    await expectRevert(f.issuer.connect(f.outsider).revokeClaimBySignature.staticCall(signature), 'KeyLacksPurpose');

    expect(await registry.isVerified(f.addr.bob)).toBe(true);
    await (await f.issuer.removeKey(addressKey(f.claimSigner.address), KEY_PURPOSES.CLAIM)).wait();
    expect(await registry.isVerified(f.addr.bob)).toBe(false);
  });

  it('stops verifying when the issuer is no longer trusted for the topic', async () => {
    const issuers = f.suite.contracts.trustedIssuersRegistry;
    await (await issuers.updateIssuerClaimTopics(await f.issuer.getAddress(), [CLAIM_TOPICS.AML])).wait();
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
    await (await issuers.removeTrustedIssuer(await f.issuer.getAddress())).wait();
    expect(await issuers.isTrustedIssuer(await f.issuer.getAddress())).toBe(false);
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
  });

  it('requires every topic: a new required topic unverifies until its claim is added', async () => {
    await (await f.suite.contracts.claimTopicsRegistry.addClaimTopic(CLAIM_TOPICS.AML)).wait();
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
    await (await f.suite.contracts.trustedIssuersRegistry.updateIssuerClaimTopics(await f.issuer.getAddress(), [KYC, CLAIM_TOPICS.AML])).wait();
    const identity = f.identities.alice;
    const signature = await signClaim(f.claimSigner, await identity.getAddress(), CLAIM_TOPICS.AML, DATA);
    await (await identity.addClaim(CLAIM_TOPICS.AML, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), signature, DATA, '')).wait();
    expect(await registry.isVerified(f.addr.alice)).toBe(true);
  });

  it('stops verifying when the claim is removed from the identity', async () => {
    const id = claimId(await f.issuer.getAddress(), KYC);
    await (await f.identities.alice.removeClaim(id)).wait();
    expect(await f.identities.alice.getClaimIdsByTopic(KYC)).toEqual([]);
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
    await expectRevert(f.identities.alice.removeClaim.staticCall(id), 'ClaimNotFound', [id]);
  });

  it('lets only management and claim keys manage the identity', async () => {
    const identity = f.identities.alice.connect(f.outsider);
    await expectRevert(identity.addKey.staticCall(addressKey(f.addr.outsider), KEY_PURPOSES.MANAGEMENT, 1n), 'KeyLacksPurpose');
    const signature = await signClaim(f.claimSigner, await identity.getAddress(), KYC, DATA);
    await expectRevert(
      identity.addClaim.staticCall(KYC, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), signature, DATA, ''),
      'KeyLacksPurpose',
    );
    await (await f.identities.alice.addKey(addressKey(f.addr.outsider), KEY_PURPOSES.CLAIM, 1n)).wait();
    await (await identity.addClaim(KYC, CLAIM_SCHEME_ECDSA, await f.issuer.getAddress(), signature, DATA, '')).wait();
    expect(await f.identities.alice.getClaimIdsByTopic(KYC)).toHaveLength(1); // replaced, not duplicated
  });
});

describe('identity registry and storage', () => {
  it('refuses every registration function to a non-agent', async () => {
    const asOutsider = registry.connect(f.outsider);
    const identity = await f.identities.alice.getAddress();
    const calls = [
      ['registerIdentity', [f.addr.dave, identity, COUNTRY.FR]],
      ['batchRegisterIdentity', [[f.addr.dave], [identity], [COUNTRY.FR]]],
      ['deleteIdentity', [f.addr.alice]],
      ['updateIdentity', [f.addr.alice, identity]],
      ['updateCountry', [f.addr.alice, COUNTRY.DE]],
    ];
    for (const [method, args] of calls) {
      await expectRevert(asOutsider[method].staticCall(...args), 'CallerNotAgent', [f.addr.outsider]);
    }
  });

  it('lets only bound registries write to the storage', async () => {
    const storage = f.suite.contracts.identityRegistryStorage;
    await expectRevert(
      storage.addIdentityToStorage.staticCall(f.addr.dave, await f.identities.alice.getAddress(), COUNTRY.FR),
      'CallerNotAgent',
      [f.addr.admin],
    );
    expect(await storage.linkedIdentityRegistries()).toEqual([f.suite.addresses.identityRegistry]);
  });

  it('keeps wallet -> (identity, country) and unverifies a deleted wallet', async () => {
    await expectRevert(
      registry.registerIdentity.staticCall(f.addr.alice, await f.identities.bob.getAddress(), COUNTRY.DE),
      'WalletAlreadyStored',
      [f.addr.alice],
    );
    await (await registry.updateCountry(f.addr.alice, COUNTRY.DE)).wait();
    expect(await registry.investorCountry(f.addr.alice)).toBe(BigInt(COUNTRY.DE));
    await (await registry.deleteIdentity(f.addr.alice)).wait();
    expect(await registry.contains(f.addr.alice)).toBe(false);
    expect(await registry.isVerified(f.addr.alice)).toBe(false);
    await expectRevert(registry.deleteIdentity.staticCall(f.addr.alice), 'WalletNotStored', [f.addr.alice]);
  });

  it('registers a batch atomically', async () => {
    const identity = await f.identities.carol.getAddress();
    await expectRevert(
      registry.batchRegisterIdentity([f.addr.dave, f.addr.alice], [identity, identity], [COUNTRY.FR, COUNTRY.FR]),
      'WalletAlreadyStored',
      [f.addr.alice],
    );
    expect(await registry.contains(f.addr.dave)).toBe(false);
    await expectRevert(registry.batchRegisterIdentity.staticCall([f.addr.dave], [], [COUNTRY.FR]), 'ArrayLengthMismatch');
  });
});

describe('topic and issuer registries', () => {
  it('enforce their limits and ownership', async () => {
    const topics = f.suite.contracts.claimTopicsRegistry;
    await expectRevert(topics.addClaimTopic.staticCall(KYC), 'ClaimTopicAlreadyRequired', [KYC]);
    await expectRevert(topics.removeClaimTopic.staticCall(99n), 'ClaimTopicNotRequired', [99n]);
    await expectRevert(topics.connect(f.outsider).addClaimTopic.staticCall(5n), 'OwnableUnauthorizedAccount');
    for (let topic = 100n; topic < 114n; topic += 1n) await (await topics.addClaimTopic(topic)).wait();
    await expectRevert(topics.addClaimTopic.staticCall(200n), 'TooManyClaimTopics', [15n]);

    const issuers = f.suite.contracts.trustedIssuersRegistry;
    const issuerAddress = await f.issuer.getAddress();
    await expectRevert(issuers.addTrustedIssuer.staticCall(issuerAddress, [KYC]), 'IssuerAlreadyTrusted', [issuerAddress]);
    await expectRevert(issuers.addTrustedIssuer.staticCall(f.addr.outsider, []), 'NoClaimTopics');
    await expectRevert(issuers.connect(f.outsider).removeTrustedIssuer.staticCall(issuerAddress), 'OwnableUnauthorizedAccount');
    expect(await issuers.getTrustedIssuersForClaimTopic(KYC)).toEqual([issuerAddress]);
    expect(await issuers.hasClaimTopic(issuerAddress, KYC)).toBe(true);
  });
});
