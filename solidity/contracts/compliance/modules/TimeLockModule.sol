// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AbstractModule} from "./AbstractModule.sol";

/**
 * @title TimeLockModule
 * @notice Lock-up: tokens minted (and, when configured, received by transfer) stay locked until
 * max(releaseAt, receipt time + period). A wallet may only send its unlocked balance. Locks are
 * kept as a bounded list of lots per wallet; when the list is full, new tokens merge into the last
 * lot and take the later release time (never earlier than configured).
 */
contract TimeLockModule is AbstractModule {
    /// @notice Lots per wallet, bounding the loop in every check.
    uint256 public constant MAX_LOTS_PER_WALLET = 16;

    struct LockUp {
        uint64 releaseAt;
        uint32 period_s;
        bool locksTransfers;
    }

    struct Lot {
        uint192 amount;
        uint64 releaseAt;
    }

    mapping(address compliance => LockUp) private _lockUps;
    mapping(address compliance => mapping(address wallet => Lot[])) private _lots;

    /// @notice Emitted after the lock-up of `compliance` was configured.
    event LockUpSet(address indexed compliance, uint64 releaseAt, uint32 period_s, bool locksTransfers);
    /// @notice Emitted after `amount` received by `wallet` was locked until `releaseAt`.
    event TokensLocked(address indexed compliance, address indexed wallet, uint256 amount, uint64 releaseAt);

    /**
     * @notice Configures the lock-up for the calling compliance: tokens are locked until
     * `releaseAt` (absolute, 0 for none) or for `period_s` after receipt, whichever ends later;
     * `locksTransfers` extends the lock to tokens received by transfer, not only minted ones.
     */
    function setLockUp(uint64 releaseAt, uint32 period_s, bool locksTransfers) external onlyBoundCompliance {
        _lockUps[msg.sender] = LockUp(releaseAt, period_s, locksTransfers);
        emit LockUpSet(msg.sender, releaseAt, period_s, locksTransfers);
    }

    /// @notice The lock-up configuration of `compliance`.
    function lockUpOf(address compliance) external view returns (uint64 releaseAt, uint32 period_s, bool locksTransfers) {
        LockUp memory lockUp = _lockUps[compliance];
        return (lockUp.releaseAt, lockUp.period_s, lockUp.locksTransfers);
    }

    /// @notice The balance of `wallet` still locked under `compliance`.
    function lockedBalanceOf(address compliance, address wallet) public view returns (uint256 locked) {
        Lot[] storage lots = _lots[compliance][wallet];
        uint256 count = lots.length;
        for (uint256 i = 0; i < count; ++i) {
            if (lots[i].releaseAt > block.timestamp) locked += lots[i].amount;
        }
    }

    /// @notice Hook: locks what the receiver got (when configured) and trims the sender's lots.
    function moduleTransferAction(address from, address to, uint256 value) external onlyBoundCompliance {
        if (from == to) return;
        if (_lockUps[msg.sender].locksTransfers) _lock(msg.sender, to, value);
        _trim(msg.sender, from);
    }

    /// @notice Hook: locks minted tokens.
    function moduleMintAction(address to, uint256 value) external onlyBoundCompliance {
        _lock(msg.sender, to, value);
    }

    /// @notice Hook: trims the lots of a wallet whose tokens were burnt.
    function moduleBurnAction(address from, uint256) external onlyBoundCompliance {
        _trim(msg.sender, from);
    }

    /// @notice The sender must have `value` unlocked (mints are always accepted).
    function moduleCheck(address from, address, uint256 value, address compliance) external view returns (bool) {
        if (from == address(0)) return true;
        uint256 balance = _token(compliance).balanceOf(from);
        uint256 locked = lockedBalanceOf(compliance, from);
        return locked <= balance && value <= balance - locked;
    }

    /// @notice Whether the module may bind to a compliance whose token already has holders.
    function isPlugAndPlay() external pure returns (bool) {
        return false;
    }

    /// @notice The module's name, for operators and indexers.
    function name() external pure returns (string memory) {
        return "TimeLockModule";
    }

    function _lock(address compliance, address wallet, uint256 value) private {
        if (value == 0) return;
        LockUp memory lockUp = _lockUps[compliance];
        uint256 periodEnd = block.timestamp + lockUp.period_s;
        uint64 releaseAt = SafeCast.toUint64(periodEnd > lockUp.releaseAt ? periodEnd : lockUp.releaseAt);
        if (releaseAt <= block.timestamp) return;
        _pruneExpired(compliance, wallet);
        Lot[] storage lots = _lots[compliance][wallet];
        uint256 count = lots.length;
        if (count < MAX_LOTS_PER_WALLET) {
            lots.push(Lot(SafeCast.toUint192(value), releaseAt));
        } else {
            Lot storage last = lots[count - 1];
            last.amount = SafeCast.toUint192(uint256(last.amount) + value);
            if (releaseAt > last.releaseAt) last.releaseAt = releaseAt;
        }
        emit TokensLocked(compliance, wallet, value, releaseAt);
    }

    /// @dev After an agent moved or burnt locked tokens (forced transfer, burn, recovery), the
    /// locked total may exceed the balance: consume the oldest lots until it fits.
    function _trim(address compliance, address wallet) private {
        _pruneExpired(compliance, wallet);
        uint256 balance = _token(compliance).balanceOf(wallet);
        uint256 locked = lockedBalanceOf(compliance, wallet);
        if (locked <= balance) return;
        uint256 excess = locked - balance;
        Lot[] storage lots = _lots[compliance][wallet];
        uint256 i = 0;
        while (excess != 0) {
            uint256 amount = lots[i].amount;
            uint256 taken = amount < excess ? amount : excess;
            // Cannot underflow: taken <= amount and taken <= excess by construction.
            unchecked {
                lots[i].amount = uint192(amount - taken);
                excess -= taken;
            }
            ++i;
        }
        _pruneExpired(compliance, wallet);
    }

    /// @dev Drops expired and empty lots, preserving the order of the others.
    function _pruneExpired(address compliance, address wallet) private {
        Lot[] storage lots = _lots[compliance][wallet];
        uint256 count = lots.length;
        uint256 kept = 0;
        for (uint256 i = 0; i < count; ++i) {
            Lot memory lot = lots[i];
            if (lot.releaseAt > block.timestamp && lot.amount != 0) {
                if (kept != i) lots[kept] = lot;
                ++kept;
            }
        }
        while (lots.length > kept) lots.pop();
    }
}
