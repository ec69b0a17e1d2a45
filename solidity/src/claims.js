// ONCHAINID-style claims: the issuer's claim key signs keccak256(abi.encode(identity, topic, data))
// with an EIP-191 personal signature; Identity.addClaim and ClaimIssuer.isClaimValid check it.
import { AbiCoder, getBytes, keccak256 } from 'ethers';

/** Well-known claim topics used by the platform. Claim data is an opaque reference, never personal data. */
export const CLAIM_TOPICS = Object.freeze({ KYC: 1n, AML: 2n, ACCREDITED_INVESTOR: 7n });
/** ERC-735 scheme for an ECDSA signature. */
export const CLAIM_SCHEME_ECDSA = 1n;
/** ERC-734 key purposes. */
export const KEY_PURPOSES = Object.freeze({ MANAGEMENT: 1n, ACTION: 2n, CLAIM: 3n });
export const KEY_TYPE_ECDSA = 1n;

/** The ERC-734 key of an address: keccak256(abi.encode(address)). */
export function addressKey(address) {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['address'], [address]));
}

/** The digest a claim issuer signs (before the EIP-191 prefix). */
export function claimDigest(identityAddress, topic, data) {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256', 'bytes'], [identityAddress, topic, data]));
}

/** The id of the claim of `issuer` on `topic`: keccak256(abi.encode(issuer, topic)). */
export function claimId(issuerAddress, topic) {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [issuerAddress, topic]));
}

/**
 * Signs a claim with a claim key of the issuer.
 * @param {import('ethers').Signer} claimSigner
 */
export function signClaim(claimSigner, identityAddress, topic, data) {
  return claimSigner.signMessage(getBytes(claimDigest(identityAddress, topic, data)));
}
