// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClaimIssuer} from "./IClaimIssuer.sol";

/// @title ITrustedIssuersRegistry
/// @notice The claim issuers trusted to attest each claim topic (ERC-3643).
interface ITrustedIssuersRegistry {
    /// @notice Emitted after `trustedIssuer` was trusted for `claimTopics`.
    event TrustedIssuerAdded(IClaimIssuer indexed trustedIssuer, uint256[] claimTopics);
    /// @notice Emitted after `trustedIssuer` stopped being trusted.
    event TrustedIssuerRemoved(IClaimIssuer indexed trustedIssuer);
    /// @notice Emitted after the topics `trustedIssuer` is trusted for were replaced.
    event ClaimTopicsUpdated(IClaimIssuer indexed trustedIssuer, uint256[] claimTopics);

    error IssuerAlreadyTrusted(address issuer);
    error IssuerNotTrusted(address issuer);
    error NoClaimTopics();
    error TooManyTrustedIssuers(uint256 limit);
    error TooManyIssuerClaimTopics(uint256 limit);

    function addTrustedIssuer(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external;
    function removeTrustedIssuer(IClaimIssuer trustedIssuer) external;
    function updateIssuerClaimTopics(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external;
    function getTrustedIssuers() external view returns (IClaimIssuer[] memory);
    function getTrustedIssuersForClaimTopic(uint256 claimTopic) external view returns (IClaimIssuer[] memory);
    function isTrustedIssuer(address issuer) external view returns (bool);
    function getTrustedIssuerClaimTopics(IClaimIssuer trustedIssuer) external view returns (uint256[] memory);
    function hasClaimTopic(address issuer, uint256 claimTopic) external view returns (bool);
}
