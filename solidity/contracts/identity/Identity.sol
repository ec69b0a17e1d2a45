// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IIdentity} from "../interfaces/IIdentity.sol";

/**
 * @title Identity
 * @notice A minimal ONCHAINID-compatible identity: ERC-734 keys (management, action, claim) and
 * ERC-735 claims. It holds no personal data: claim `data` is an opaque reference (for example the
 * hash of a KYC file id) and the identity itself is referenced from the registry by address.
 */
contract Identity is IIdentity {
    uint256 public constant MANAGEMENT_PURPOSE = 1;
    uint256 public constant ACTION_PURPOSE = 2;
    uint256 public constant CLAIM_PURPOSE = 3;
    uint256 public constant ECDSA_KEY_TYPE = 1;
    /// @notice One claim per trusted issuer and topic, so a handful per topic is plenty.
    uint256 public constant MAX_CLAIMS_PER_TOPIC = 16;

    struct Claim {
        uint256 topic;
        uint256 scheme;
        address issuer;
        bytes signature;
        bytes data;
        string uri;
    }

    mapping(bytes32 key => mapping(uint256 purpose => bool)) private _keyPurposes;
    mapping(bytes32 claimId => Claim) private _claims;
    mapping(uint256 topic => bytes32[]) private _claimIdsByTopic;

    modifier onlyPurpose(uint256 purpose) {
        bytes32 key = addressToKey(msg.sender);
        if (!_keyPurposes[key][purpose] && !_keyPurposes[key][MANAGEMENT_PURPOSE]) revert KeyLacksPurpose(key, purpose);
        _;
    }

    /// @param initialManagementKey Address whose key manages this identity (keys and claims).
    constructor(address initialManagementKey) {
        _addKey(addressToKey(initialManagementKey), MANAGEMENT_PURPOSE, ECDSA_KEY_TYPE);
    }

    /// @notice The ERC-734 key of an Ethereum address: keccak256(abi.encode(account)).
    function addressToKey(address account) public pure returns (bytes32) {
        return keccak256(abi.encode(account));
    }

    /// @notice Gives `key` the `purpose`. Management key only.
    function addKey(bytes32 key, uint256 purpose, uint256 keyType) external onlyPurpose(MANAGEMENT_PURPOSE) returns (bool) {
        _addKey(key, purpose, keyType);
        return true;
    }

    /// @notice Removes `purpose` from `key`. Management key only.
    function removeKey(bytes32 key, uint256 purpose) external onlyPurpose(MANAGEMENT_PURPOSE) returns (bool) {
        if (!_keyPurposes[key][purpose]) revert KeyLacksPurpose(key, purpose);
        _keyPurposes[key][purpose] = false;
        emit KeyRemoved(key, purpose, ECDSA_KEY_TYPE);
        return true;
    }

    /// @notice Whether `key` holds `purpose` (a management key holds every purpose).
    function keyHasPurpose(bytes32 key, uint256 purpose) public view returns (bool) {
        return _keyPurposes[key][purpose] || _keyPurposes[key][MANAGEMENT_PURPOSE];
    }

    /**
     * @notice Stores a claim, replacing the previous one from the same issuer and topic. Claim key
     * only. A claim from another issuer must carry a signature that the issuer considers valid.
     * @return claimRequestId The claim id, keccak256(abi.encode(issuer, topic)).
     */
    function addClaim(
        uint256 topic,
        uint256 scheme,
        address issuer,
        bytes calldata signature,
        bytes calldata data,
        string calldata uri
    ) external onlyPurpose(CLAIM_PURPOSE) returns (bytes32 claimRequestId) {
        if (issuer != address(this) && !IIdentity(issuer).isClaimValid(this, topic, signature, data)) {
            revert InvalidClaim(issuer, topic);
        }
        claimRequestId = _storeClaim(Claim(topic, scheme, issuer, signature, data, uri));
    }

    /// @notice Deletes a claim. Claim key only.
    function removeClaim(bytes32 claimId) external onlyPurpose(CLAIM_PURPOSE) returns (bool) {
        Claim memory claim = _claims[claimId];
        if (claim.issuer == address(0)) revert ClaimNotFound(claimId);
        bytes32[] storage ids = _claimIdsByTopic[claim.topic];
        uint256 count = ids.length;
        for (uint256 i = 0; i < count; ++i) {
            if (ids[i] == claimId) {
                ids[i] = ids[count - 1];
                ids.pop();
                break;
            }
        }
        delete _claims[claimId];
        emit ClaimRemoved(claimId, claim.topic, claim.scheme, claim.issuer, claim.signature, claim.data, claim.uri);
        return true;
    }

    /// @notice The claim stored under `claimId` (all fields zero when absent).
    function getClaim(bytes32 claimId)
        external
        view
        returns (uint256 topic, uint256 scheme, address issuer, bytes memory signature, bytes memory data, string memory uri)
    {
        Claim storage claim = _claims[claimId];
        return (claim.topic, claim.scheme, claim.issuer, claim.signature, claim.data, claim.uri);
    }

    /// @notice Ids of the claims held for `topic`.
    function getClaimIdsByTopic(uint256 topic) external view returns (bytes32[] memory) {
        return _claimIdsByTopic[topic];
    }

    /**
     * @notice Whether `signature` is an EIP-191 signature over keccak256(abi.encode(identity, topic,
     * data)) by a key holding the claim purpose on this identity.
     */
    function isClaimValid(IIdentity identity, uint256 topic, bytes calldata signature, bytes calldata data)
        public
        view
        virtual
        returns (bool)
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(keccak256(abi.encode(identity, topic, data)));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError) return false;
        return keyHasPurpose(addressToKey(signer), CLAIM_PURPOSE);
    }

    /// @dev Takes the claim as one memory struct to keep the stack shallow.
    function _storeClaim(Claim memory claim) private returns (bytes32 claimId) {
        claimId = keccak256(abi.encode(claim.issuer, claim.topic));
        bool isNew = _claims[claimId].issuer == address(0);
        if (isNew) {
            bytes32[] storage ids = _claimIdsByTopic[claim.topic];
            if (ids.length >= MAX_CLAIMS_PER_TOPIC) revert TooManyClaimsForTopic(claim.topic, MAX_CLAIMS_PER_TOPIC);
            ids.push(claimId);
        }
        _claims[claimId] = claim;
        if (isNew) emit ClaimAdded(claimId, claim.topic, claim.scheme, claim.issuer, claim.signature, claim.data, claim.uri);
        else emit ClaimChanged(claimId, claim.topic, claim.scheme, claim.issuer, claim.signature, claim.data, claim.uri);
    }

    function _addKey(bytes32 key, uint256 purpose, uint256 keyType) private {
        if (_keyPurposes[key][purpose]) revert KeyAlreadyHasPurpose(key, purpose);
        _keyPurposes[key][purpose] = true;
        emit KeyAdded(key, purpose, keyType);
    }
}
