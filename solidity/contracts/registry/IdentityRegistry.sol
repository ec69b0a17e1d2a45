// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRole} from "../roles/AgentRole.sol";
import {IIdentity} from "../interfaces/IIdentity.sol";
import {IClaimIssuer} from "../interfaces/IClaimIssuer.sol";
import {IClaimTopicsRegistry} from "../interfaces/IClaimTopicsRegistry.sol";
import {ITrustedIssuersRegistry} from "../interfaces/ITrustedIssuersRegistry.sol";
import {IIdentityRegistryStorage} from "../interfaces/IIdentityRegistryStorage.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/**
 * @title IdentityRegistry
 * @notice Registers wallets (agents only) and decides whether a wallet is verified: it must be
 * linked to an identity that holds, for every required claim topic, a claim from an issuer trusted
 * for that topic whose signature the issuer still accepts.
 */
contract IdentityRegistry is IIdentityRegistry, AgentRole {
    /// @notice Upper bound on batch registrations, to stay far below the block gas limit.
    uint256 public constant MAX_BATCH_SIZE = 100;

    IIdentityRegistryStorage private _storage;
    IClaimTopicsRegistry private _topicsRegistry;
    ITrustedIssuersRegistry private _issuersRegistry;

    constructor(
        address initialOwner,
        ITrustedIssuersRegistry trustedIssuersRegistry,
        IClaimTopicsRegistry claimTopicsRegistry,
        IIdentityRegistryStorage identityRegistryStorage
    ) AgentRole(initialOwner) {
        _setIssuersRegistry(trustedIssuersRegistry);
        _setTopicsRegistry(claimTopicsRegistry);
        _setStorage(identityRegistryStorage);
    }

    /// @notice Registers `wallet` under `identity` in `country`. Agent only.
    function registerIdentity(address wallet, IIdentity identity_, uint16 country) external onlyAgent {
        _registerIdentity(wallet, identity_, country);
    }

    /// @notice Registers several wallets at once, all or none. Agent only.
    function batchRegisterIdentity(address[] calldata wallets, IIdentity[] calldata identities, uint16[] calldata countries)
        external
        onlyAgent
    {
        uint256 count = wallets.length;
        if (identities.length != count || countries.length != count) revert ArrayLengthMismatch();
        if (count > MAX_BATCH_SIZE) revert BatchTooLarge(count, MAX_BATCH_SIZE);
        for (uint256 i = 0; i < count; ++i) {
            _registerIdentity(wallets[i], identities[i], countries[i]);
        }
    }

    /// @notice Removes `wallet`. Agent only.
    function deleteIdentity(address wallet) external onlyAgent {
        IIdentity oldIdentity = _storage.storedIdentity(wallet);
        _storage.removeIdentityFromStorage(wallet);
        emit IdentityRemoved(wallet, oldIdentity);
    }

    /// @notice Links `wallet` to another identity. Agent only.
    function updateIdentity(address wallet, IIdentity identity_) external onlyAgent {
        IIdentity oldIdentity = _storage.storedIdentity(wallet);
        _storage.modifyStoredIdentity(wallet, identity_);
        emit IdentityUpdated(oldIdentity, identity_);
    }

    /// @notice Changes the country of `wallet`. Agent only.
    function updateCountry(address wallet, uint16 country) external onlyAgent {
        _storage.modifyStoredInvestorCountry(wallet, country);
        emit CountryUpdated(wallet, country);
    }

    /// @notice Replaces the identity storage. Owner only.
    function setIdentityRegistryStorage(IIdentityRegistryStorage identityRegistryStorage) external onlyOwner {
        _setStorage(identityRegistryStorage);
    }

    /// @notice Replaces the claim topics registry. Owner only.
    function setClaimTopicsRegistry(IClaimTopicsRegistry claimTopicsRegistry) external onlyOwner {
        _setTopicsRegistry(claimTopicsRegistry);
    }

    /// @notice Replaces the trusted issuers registry. Owner only.
    function setTrustedIssuersRegistry(ITrustedIssuersRegistry trustedIssuersRegistry) external onlyOwner {
        _setIssuersRegistry(trustedIssuersRegistry);
    }

    /// @notice Whether `wallet` is registered (verified or not).
    function contains(address wallet) external view returns (bool) {
        return address(_storage.storedIdentity(wallet)) != address(0);
    }

    /// @notice Whether `wallet` is registered and its identity holds a valid trusted claim for every required topic.
    function isVerified(address wallet) external view returns (bool) {
        IIdentity identity_ = _storage.storedIdentity(wallet);
        if (address(identity_) == address(0)) return false;
        uint256[] memory topics = _topicsRegistry.getClaimTopics();
        uint256 topicCount = topics.length;
        for (uint256 i = 0; i < topicCount; ++i) {
            if (!_hasValidClaim(identity_, topics[i])) return false;
        }
        return true;
    }

    /// @notice The identity linked to `wallet` (zero when none).
    function identity(address wallet) external view returns (IIdentity) {
        return _storage.storedIdentity(wallet);
    }

    /// @notice The country of `wallet` (zero when none).
    function investorCountry(address wallet) external view returns (uint16) {
        return _storage.storedInvestorCountry(wallet);
    }

    /// @notice The identity storage in use.
    function identityStorage() external view returns (IIdentityRegistryStorage) {
        return _storage;
    }

    /// @notice The trusted issuers registry in use.
    function issuersRegistry() external view returns (ITrustedIssuersRegistry) {
        return _issuersRegistry;
    }

    /// @notice The claim topics registry in use.
    function topicsRegistry() external view returns (IClaimTopicsRegistry) {
        return _topicsRegistry;
    }

    function _registerIdentity(address wallet, IIdentity identity_, uint16 country) private {
        _storage.addIdentityToStorage(wallet, identity_, country);
        emit IdentityRegistered(wallet, identity_);
    }

    /// @dev One trusted issuer's valid claim on `topic` is enough. A misbehaving identity or issuer
    /// contract (reverting getClaim or isClaimValid) counts as "no claim", never as a revert.
    function _hasValidClaim(IIdentity identity_, uint256 topic) private view returns (bool) {
        IClaimIssuer[] memory issuers = _issuersRegistry.getTrustedIssuersForClaimTopic(topic);
        uint256 issuerCount = issuers.length;
        for (uint256 j = 0; j < issuerCount; ++j) {
            bytes32 claimId = keccak256(abi.encode(address(issuers[j]), topic));
            try identity_.getClaim(claimId) returns (
                uint256 foundTopic, uint256, address issuer, bytes memory signature, bytes memory data, string memory
            ) {
                if (foundTopic != topic || issuer != address(issuers[j])) continue;
                try issuers[j].isClaimValid(identity_, topic, signature, data) returns (bool valid) {
                    if (valid) return true;
                } catch {}
            } catch {}
        }
        return false;
    }

    function _setStorage(IIdentityRegistryStorage identityRegistryStorage) private {
        if (address(identityRegistryStorage) == address(0)) revert ZeroAddress();
        _storage = identityRegistryStorage;
        emit IdentityStorageSet(address(identityRegistryStorage));
    }

    function _setTopicsRegistry(IClaimTopicsRegistry claimTopicsRegistry) private {
        if (address(claimTopicsRegistry) == address(0)) revert ZeroAddress();
        _topicsRegistry = claimTopicsRegistry;
        emit ClaimTopicsRegistrySet(address(claimTopicsRegistry));
    }

    function _setIssuersRegistry(ITrustedIssuersRegistry trustedIssuersRegistry) private {
        if (address(trustedIssuersRegistry) == address(0)) revert ZeroAddress();
        _issuersRegistry = trustedIssuersRegistry;
        emit TrustedIssuersRegistrySet(address(trustedIssuersRegistry));
    }
}
