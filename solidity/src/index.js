// @bulwark/solidity: the committed ERC-3643 suite artefacts and helpers to deploy and test them.
export { artifacts, artifact, sourceHash } from './artifacts.js';
export { anvilBinaryPath, startAnvil } from './anvil.js';
export {
  CLAIM_SCHEME_ECDSA,
  CLAIM_TOPICS,
  KEY_PURPOSES,
  KEY_TYPE_ECDSA,
  addressKey,
  claimDigest,
  claimId,
  signClaim,
} from './claims.js';
export { attach, deployClaimIssuer, deployContract, deploySuite, registerInvestor } from './deploy.js';
