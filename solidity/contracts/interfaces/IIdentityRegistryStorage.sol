// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentity} from "./IIdentity.sol";

/**
 * @title IIdentityRegistryStorage
 * @notice Wallet -> (identity contract, ISO 3166-1 numeric country code). Kept apart from the
 * registry so several tokens' registries can share one investor base (ERC-3643). No personal data:
 * the identity is an address and the country a number.
 */
interface IIdentityRegistryStorage {
    /// @notice Emitted after `wallet` was linked to `identity`.
    event IdentityStored(address indexed wallet, IIdentity indexed identity);
    /// @notice Emitted after `wallet` was unlinked from `identity`.
    event IdentityUnstored(address indexed wallet, IIdentity indexed identity);
    /// @notice Emitted after the identity of a wallet changed.
    event IdentityModified(IIdentity indexed oldIdentity, IIdentity indexed newIdentity);
    /// @notice Emitted after the country of `wallet` changed.
    event CountryModified(address indexed wallet, uint16 indexed country);
    /// @notice Emitted after `identityRegistry` was allowed to write.
    event IdentityRegistryBound(address indexed identityRegistry);
    /// @notice Emitted after `identityRegistry` lost write access.
    event IdentityRegistryUnbound(address indexed identityRegistry);

    error WalletAlreadyStored(address wallet);
    error WalletNotStored(address wallet);
    error TooManyBoundRegistries(uint256 limit);
    error RegistryNotBound(address identityRegistry);

    function addIdentityToStorage(address wallet, IIdentity identity, uint16 country) external;
    function removeIdentityFromStorage(address wallet) external;
    function modifyStoredIdentity(address wallet, IIdentity identity) external;
    function modifyStoredInvestorCountry(address wallet, uint16 country) external;
    function bindIdentityRegistry(address identityRegistry) external;
    function unbindIdentityRegistry(address identityRegistry) external;
    function linkedIdentityRegistries() external view returns (address[] memory);
    function storedIdentity(address wallet) external view returns (IIdentity);
    function storedInvestorCountry(address wallet) external view returns (uint16);
}
