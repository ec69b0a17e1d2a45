// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IClaimTopicsRegistry
/// @notice The claim topics an investor identity must carry to be verified (ERC-3643).
interface IClaimTopicsRegistry {
    /// @notice Emitted after `claimTopic` became required.
    event ClaimTopicAdded(uint256 indexed claimTopic);
    /// @notice Emitted after `claimTopic` stopped being required.
    event ClaimTopicRemoved(uint256 indexed claimTopic);

    error ClaimTopicAlreadyRequired(uint256 claimTopic);
    error ClaimTopicNotRequired(uint256 claimTopic);
    error TooManyClaimTopics(uint256 limit);

    function addClaimTopic(uint256 claimTopic) external;
    function removeClaimTopic(uint256 claimTopic) external;
    function getClaimTopics() external view returns (uint256[] memory);
}
