// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/**
 * @title AuditAnchor
 * @notice Stores the Merkle root (RFC 9162) of each batch of audit entries, once and forever, so an
 * auditor holding an export can check it against the chain without trusting the platform.
 * One contract serves one audit log: batch ids are that log's batch sequence.
 */
contract AuditAnchor is AccessControl {
    /// @notice Role allowed to anchor roots (the execution stack's anchoring key).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    struct Anchor {
        bytes32 root;
        uint64 entryCount;
        uint64 anchoredAt;
    }

    mapping(uint64 batchId => Anchor) private _anchors;
    uint64 private _batchCount;

    /// @notice Emitted after the root of batch `batchId` was stored at block time `anchoredAt`.
    event RootAnchored(uint64 indexed batchId, bytes32 root, uint64 entryCount, uint64 anchoredAt);

    error BatchAlreadyAnchored(uint64 batchId, bytes32 root);
    error EmptyRoot();
    error EmptyBatch();

    /// @param admin Holder of the admin role (grants and revokes anchorers).
    /// @param anchorer First holder of the anchorer role (zero to appoint one later).
    constructor(address admin, address anchorer) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (anchorer != address(0)) _grantRole(ANCHORER_ROLE, anchorer);
    }

    /**
     * @notice Anchors the Merkle `root` of batch `batchId` holding `entryCount` entries. Anchorer
     * only; a batch id is anchored once.
     */
    function anchor(uint64 batchId, bytes32 root, uint64 entryCount) external onlyRole(ANCHORER_ROLE) {
        if (root == bytes32(0)) revert EmptyRoot();
        if (entryCount == 0) revert EmptyBatch();
        Anchor storage existing = _anchors[batchId];
        if (existing.root != bytes32(0)) revert BatchAlreadyAnchored(batchId, existing.root);
        uint64 anchoredAt = uint64(block.timestamp);
        _anchors[batchId] = Anchor(root, entryCount, anchoredAt);
        ++_batchCount;
        emit RootAnchored(batchId, root, entryCount, anchoredAt);
    }

    /// @notice The root anchored for `batchId` (zero when none).
    function rootOf(uint64 batchId) external view returns (bytes32) {
        return _anchors[batchId].root;
    }

    /// @notice Root, entry count and block time of `batchId` (all zero when none).
    function anchorOf(uint64 batchId) external view returns (bytes32 root, uint64 entryCount, uint64 anchoredAt) {
        Anchor memory stored = _anchors[batchId];
        return (stored.root, stored.entryCount, stored.anchoredAt);
    }

    /// @notice How many batches were anchored.
    function batchCount() external view returns (uint64) {
        return _batchCount;
    }
}
