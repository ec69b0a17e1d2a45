// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IClaimTopicsRegistry} from "../interfaces/IClaimTopicsRegistry.sol";

/// @title ClaimTopicsRegistry
/// @notice The claim topics (KYC, accreditation, ...) every investor identity must carry.
contract ClaimTopicsRegistry is IClaimTopicsRegistry, Ownable2Step {
    /// @notice Bounded because isVerified loops over every topic on every transfer.
    uint256 public constant MAX_CLAIM_TOPICS = 15;

    uint256[] private _claimTopics;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Makes `claimTopic` required. Owner only.
    function addClaimTopic(uint256 claimTopic) external onlyOwner {
        uint256 count = _claimTopics.length;
        if (count >= MAX_CLAIM_TOPICS) revert TooManyClaimTopics(MAX_CLAIM_TOPICS);
        for (uint256 i = 0; i < count; ++i) {
            if (_claimTopics[i] == claimTopic) revert ClaimTopicAlreadyRequired(claimTopic);
        }
        _claimTopics.push(claimTopic);
        emit ClaimTopicAdded(claimTopic);
    }

    /// @notice Stops requiring `claimTopic`. Owner only.
    function removeClaimTopic(uint256 claimTopic) external onlyOwner {
        uint256 count = _claimTopics.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_claimTopics[i] == claimTopic) {
                _claimTopics[i] = _claimTopics[count - 1];
                _claimTopics.pop();
                emit ClaimTopicRemoved(claimTopic);
                return;
            }
        }
        revert ClaimTopicNotRequired(claimTopic);
    }

    /// @notice The required claim topics.
    function getClaimTopics() external view returns (uint256[] memory) {
        return _claimTopics;
    }
}
