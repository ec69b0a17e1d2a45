// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AgentRole} from "../roles/AgentRole.sol";
import {IIdentity} from "../interfaces/IIdentity.sol";
import {IIdentityRegistryStorage} from "../interfaces/IIdentityRegistryStorage.sol";

/**
 * @title IdentityRegistryStorage
 * @notice Wallet -> (identity, country). Only bound identity registries (which hold the agent role
 * here) write to it.
 */
contract IdentityRegistryStorage is IIdentityRegistryStorage, AgentRole {
    /// @notice Registries sharing this storage (one per token at most).
    uint256 public constant MAX_BOUND_REGISTRIES = 16;

    struct StoredIdentity {
        IIdentity identity;
        uint16 country;
    }

    mapping(address wallet => StoredIdentity) private _identities;
    address[] private _boundRegistries;

    constructor(address initialOwner) AgentRole(initialOwner) {}

    /// @notice Links `wallet` to `identity` in `country`. Bound registries only.
    function addIdentityToStorage(address wallet, IIdentity identity, uint16 country) external onlyAgent {
        if (wallet == address(0) || address(identity) == address(0)) revert ZeroAddress();
        if (address(_identities[wallet].identity) != address(0)) revert WalletAlreadyStored(wallet);
        _identities[wallet] = StoredIdentity(identity, country);
        emit IdentityStored(wallet, identity);
    }

    /// @notice Unlinks `wallet`. Bound registries only.
    function removeIdentityFromStorage(address wallet) external onlyAgent {
        IIdentity identity = _requireStored(wallet);
        delete _identities[wallet];
        emit IdentityUnstored(wallet, identity);
    }

    /// @notice Links `wallet` to another identity. Bound registries only.
    function modifyStoredIdentity(address wallet, IIdentity identity) external onlyAgent {
        if (address(identity) == address(0)) revert ZeroAddress();
        IIdentity oldIdentity = _requireStored(wallet);
        _identities[wallet].identity = identity;
        emit IdentityModified(oldIdentity, identity);
    }

    /// @notice Changes the country of `wallet`. Bound registries only.
    function modifyStoredInvestorCountry(address wallet, uint16 country) external onlyAgent {
        _requireStored(wallet);
        _identities[wallet].country = country;
        emit CountryModified(wallet, country);
    }

    /// @notice Gives `identityRegistry` write access. Owner only.
    function bindIdentityRegistry(address identityRegistry) external onlyOwner {
        if (_boundRegistries.length >= MAX_BOUND_REGISTRIES) revert TooManyBoundRegistries(MAX_BOUND_REGISTRIES);
        _addAgent(identityRegistry);
        _boundRegistries.push(identityRegistry);
        emit IdentityRegistryBound(identityRegistry);
    }

    /// @notice Removes `identityRegistry`'s write access. Owner only.
    function unbindIdentityRegistry(address identityRegistry) external onlyOwner {
        uint256 count = _boundRegistries.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_boundRegistries[i] == identityRegistry) {
                _boundRegistries[i] = _boundRegistries[count - 1];
                _boundRegistries.pop();
                _removeAgent(identityRegistry);
                emit IdentityRegistryUnbound(identityRegistry);
                return;
            }
        }
        revert RegistryNotBound(identityRegistry);
    }

    /// @notice The registries allowed to write.
    function linkedIdentityRegistries() external view returns (address[] memory) {
        return _boundRegistries;
    }

    /// @notice The identity linked to `wallet` (zero when none).
    function storedIdentity(address wallet) external view returns (IIdentity) {
        return _identities[wallet].identity;
    }

    /// @notice The country of `wallet` (zero when none).
    function storedInvestorCountry(address wallet) external view returns (uint16) {
        return _identities[wallet].country;
    }

    function _requireStored(address wallet) private view returns (IIdentity identity) {
        identity = _identities[wallet].identity;
        if (address(identity) == address(0)) revert WalletNotStored(wallet);
    }
}
