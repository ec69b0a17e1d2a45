// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentity} from "./IIdentity.sol";
import {IClaimTopicsRegistry} from "./IClaimTopicsRegistry.sol";
import {ITrustedIssuersRegistry} from "./ITrustedIssuersRegistry.sol";
import {IIdentityRegistryStorage} from "./IIdentityRegistryStorage.sol";

/// @title IIdentityRegistry
/// @notice Registers investor wallets and tells whether a wallet is verified (ERC-3643).
interface IIdentityRegistry {
    /// @notice Emitted after the claim topics registry was replaced.
    event ClaimTopicsRegistrySet(address indexed claimTopicsRegistry);
    /// @notice Emitted after the identity storage was replaced.
    event IdentityStorageSet(address indexed identityStorage);
    /// @notice Emitted after the trusted issuers registry was replaced.
    event TrustedIssuersRegistrySet(address indexed trustedIssuersRegistry);
    /// @notice Emitted after `wallet` was registered with `identity`.
    event IdentityRegistered(address indexed wallet, IIdentity indexed identity);
    /// @notice Emitted after `wallet` was removed.
    event IdentityRemoved(address indexed wallet, IIdentity indexed identity);
    /// @notice Emitted after a wallet's identity was replaced.
    event IdentityUpdated(IIdentity indexed oldIdentity, IIdentity indexed newIdentity);
    /// @notice Emitted after `wallet`'s country changed.
    event CountryUpdated(address indexed wallet, uint16 indexed country);

    error ArrayLengthMismatch();
    error BatchTooLarge(uint256 size, uint256 limit);

    function registerIdentity(address wallet, IIdentity identity, uint16 country) external;
    function deleteIdentity(address wallet) external;
    function updateIdentity(address wallet, IIdentity identity) external;
    function updateCountry(address wallet, uint16 country) external;
    function batchRegisterIdentity(address[] calldata wallets, IIdentity[] calldata identities, uint16[] calldata countries)
        external;
    function setIdentityRegistryStorage(IIdentityRegistryStorage identityRegistryStorage) external;
    function setClaimTopicsRegistry(IClaimTopicsRegistry claimTopicsRegistry) external;
    function setTrustedIssuersRegistry(ITrustedIssuersRegistry trustedIssuersRegistry) external;

    function contains(address wallet) external view returns (bool);
    function isVerified(address wallet) external view returns (bool);
    function identity(address wallet) external view returns (IIdentity);
    function investorCountry(address wallet) external view returns (uint16);
    function identityStorage() external view returns (IIdentityRegistryStorage);
    function issuersRegistry() external view returns (ITrustedIssuersRegistry);
    function topicsRegistry() external view returns (IClaimTopicsRegistry);
}
