// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AbstractModule} from "./AbstractModule.sol";

/**
 * @title MaxBalanceModule
 * @notice No wallet may hold more than a cap after receiving a transfer or a mint. The cap is per
 * wallet (the platform's omnibus and member wallets are the holders on chain). A cap of zero,
 * the initial value, refuses every receipt: configure it right after adding the module.
 */
contract MaxBalanceModule is AbstractModule {
    mapping(address compliance => uint256) private _maxBalance;

    /// @notice Emitted after the cap of `compliance` was set.
    event MaxBalanceSet(address indexed compliance, uint256 maxBalance);

    /// @notice Sets the per-wallet cap for the calling compliance, in token base units.
    function setMaxBalance(uint256 maxBalance) external onlyBoundCompliance {
        _maxBalance[msg.sender] = maxBalance;
        emit MaxBalanceSet(msg.sender, maxBalance);
    }

    /// @notice The per-wallet cap of `compliance`.
    function maxBalanceOf(address compliance) external view returns (uint256) {
        return _maxBalance[compliance];
    }

    /// @notice Hook: nothing to record (the rule reads current state only).
    function moduleTransferAction(address, address, uint256) external onlyBoundCompliance {}

    /// @notice Hook: nothing to record.
    function moduleMintAction(address, uint256) external onlyBoundCompliance {}

    /// @notice Hook: nothing to record.
    function moduleBurnAction(address, uint256) external onlyBoundCompliance {}

    /// @inheritdoc AbstractModule
    function canComplianceBind(address) public pure override returns (bool) {
        return true;
    }

    /// @notice The receiver's balance after the transfer must not exceed the cap.
    function moduleCheck(address from, address to, uint256 value, address compliance) external view returns (bool) {
        if (from == to) return true;
        return _token(compliance).balanceOf(to) + value <= _maxBalance[compliance];
    }

    /// @notice Stateless (it reads balances from the token), so it can bind at any time.
    function isPlugAndPlay() external pure returns (bool) {
        return true;
    }

    /// @notice The module's name, for operators and indexers.
    function name() external pure returns (string memory) {
        return "MaxBalanceModule";
    }
}
