// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AbstractModule} from "./AbstractModule.sol";

/**
 * @title MaxHoldersModule
 * @notice Caps the number of wallets holding a non-zero balance of the token. The count is kept
 * from the compliance hooks, so the module binds only while the supply is zero.
 */
contract MaxHoldersModule is AbstractModule {
    mapping(address compliance => uint256) private _holderLimit;
    mapping(address compliance => uint256) private _holderCount;

    /// @notice Emitted after the limit of `compliance` was set.
    event HolderLimitSet(address indexed compliance, uint256 holderLimit);

    /// @notice Sets the holder limit for the calling compliance.
    function setHolderLimit(uint256 holderLimit) external onlyBoundCompliance {
        _holderLimit[msg.sender] = holderLimit;
        emit HolderLimitSet(msg.sender, holderLimit);
    }

    /// @notice The holder limit of `compliance`.
    function holderLimitOf(address compliance) external view returns (uint256) {
        return _holderLimit[compliance];
    }

    /// @notice The number of wallets with a non-zero balance under `compliance`.
    function holderCountOf(address compliance) external view returns (uint256) {
        return _holderCount[compliance];
    }

    /// @notice Hook: counts a new holder and a departed one.
    function moduleTransferAction(address from, address to, uint256 value) external onlyBoundCompliance {
        if (from == to || value == 0) return;
        if (_token(msg.sender).balanceOf(to) == value) ++_holderCount[msg.sender];
        if (_token(msg.sender).balanceOf(from) == 0) --_holderCount[msg.sender];
    }

    /// @notice Hook: counts a new holder.
    function moduleMintAction(address to, uint256 value) external onlyBoundCompliance {
        if (value != 0 && _token(msg.sender).balanceOf(to) == value) ++_holderCount[msg.sender];
    }

    /// @notice Hook: counts a departed holder.
    function moduleBurnAction(address from, uint256 value) external onlyBoundCompliance {
        if (value != 0 && _token(msg.sender).balanceOf(from) == 0) --_holderCount[msg.sender];
    }

    /// @notice A receiver with no balance yet must fit under the limit (a sender emptying its
    /// wallet frees its place).
    function moduleCheck(address from, address to, uint256 value, address compliance) external view returns (bool) {
        if (from == to || value == 0) return true;
        if (_token(compliance).balanceOf(to) != 0) return true;
        uint256 holdersAfter = _holderCount[compliance] + 1;
        if (from != address(0) && _token(compliance).balanceOf(from) == value) --holdersAfter;
        return holdersAfter <= _holderLimit[compliance];
    }

    /// @notice Whether the module may bind to a compliance whose token already has holders.
    function isPlugAndPlay() external pure returns (bool) {
        return false;
    }

    /// @notice The module's name, for operators and indexers.
    function name() external pure returns (string memory) {
        return "MaxHoldersModule";
    }
}
