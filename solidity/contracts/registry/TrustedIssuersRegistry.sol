// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IClaimIssuer} from "../interfaces/IClaimIssuer.sol";
import {ITrustedIssuersRegistry} from "../interfaces/ITrustedIssuersRegistry.sol";

/// @title TrustedIssuersRegistry
/// @notice The claim issuers trusted for each claim topic.
contract TrustedIssuersRegistry is ITrustedIssuersRegistry, Ownable2Step {
    /// @notice Bounded because isVerified loops over issuers on every transfer.
    uint256 public constant MAX_TRUSTED_ISSUERS = 50;
    uint256 public constant MAX_TOPICS_PER_ISSUER = 15;

    IClaimIssuer[] private _trustedIssuers;
    mapping(address issuer => uint256[]) private _issuerClaimTopics;
    mapping(uint256 claimTopic => IClaimIssuer[]) private _issuersByClaimTopic;

    error ZeroAddress();

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Trusts `trustedIssuer` for `claimTopics`. Owner only.
    function addTrustedIssuer(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external onlyOwner {
        if (address(trustedIssuer) == address(0)) revert ZeroAddress();
        if (_issuerClaimTopics[address(trustedIssuer)].length != 0) revert IssuerAlreadyTrusted(address(trustedIssuer));
        if (_trustedIssuers.length >= MAX_TRUSTED_ISSUERS) revert TooManyTrustedIssuers(MAX_TRUSTED_ISSUERS);
        _trustedIssuers.push(trustedIssuer);
        _setTopics(trustedIssuer, claimTopics);
        emit TrustedIssuerAdded(trustedIssuer, claimTopics);
    }

    /// @notice Stops trusting `trustedIssuer`. Owner only.
    function removeTrustedIssuer(IClaimIssuer trustedIssuer) external onlyOwner {
        if (_issuerClaimTopics[address(trustedIssuer)].length == 0) revert IssuerNotTrusted(address(trustedIssuer));
        _clearTopics(trustedIssuer);
        _removeFrom(_trustedIssuers, trustedIssuer);
        emit TrustedIssuerRemoved(trustedIssuer);
    }

    /// @notice Replaces the topics `trustedIssuer` is trusted for. Owner only.
    function updateIssuerClaimTopics(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) external onlyOwner {
        if (_issuerClaimTopics[address(trustedIssuer)].length == 0) revert IssuerNotTrusted(address(trustedIssuer));
        _clearTopics(trustedIssuer);
        _setTopics(trustedIssuer, claimTopics);
        emit ClaimTopicsUpdated(trustedIssuer, claimTopics);
    }

    /// @notice Every trusted issuer.
    function getTrustedIssuers() external view returns (IClaimIssuer[] memory) {
        return _trustedIssuers;
    }

    /// @notice The issuers trusted for `claimTopic`.
    function getTrustedIssuersForClaimTopic(uint256 claimTopic) external view returns (IClaimIssuer[] memory) {
        return _issuersByClaimTopic[claimTopic];
    }

    /// @notice Whether `issuer` is trusted for at least one topic.
    function isTrustedIssuer(address issuer) external view returns (bool) {
        return _issuerClaimTopics[issuer].length != 0;
    }

    /// @notice The topics `trustedIssuer` is trusted for.
    function getTrustedIssuerClaimTopics(IClaimIssuer trustedIssuer) external view returns (uint256[] memory) {
        if (_issuerClaimTopics[address(trustedIssuer)].length == 0) revert IssuerNotTrusted(address(trustedIssuer));
        return _issuerClaimTopics[address(trustedIssuer)];
    }

    /// @notice Whether `issuer` is trusted for `claimTopic`.
    function hasClaimTopic(address issuer, uint256 claimTopic) external view returns (bool) {
        uint256[] storage topics = _issuerClaimTopics[issuer];
        uint256 count = topics.length;
        for (uint256 i = 0; i < count; ++i) {
            if (topics[i] == claimTopic) return true;
        }
        return false;
    }

    function _setTopics(IClaimIssuer trustedIssuer, uint256[] calldata claimTopics) private {
        uint256 count = claimTopics.length;
        if (count == 0) revert NoClaimTopics();
        if (count > MAX_TOPICS_PER_ISSUER) revert TooManyIssuerClaimTopics(MAX_TOPICS_PER_ISSUER);
        _issuerClaimTopics[address(trustedIssuer)] = claimTopics;
        for (uint256 i = 0; i < count; ++i) {
            _issuersByClaimTopic[claimTopics[i]].push(trustedIssuer);
        }
    }

    function _clearTopics(IClaimIssuer trustedIssuer) private {
        uint256[] storage topics = _issuerClaimTopics[address(trustedIssuer)];
        uint256 count = topics.length;
        for (uint256 i = 0; i < count; ++i) {
            _removeFrom(_issuersByClaimTopic[topics[i]], trustedIssuer);
        }
        delete _issuerClaimTopics[address(trustedIssuer)];
    }

    function _removeFrom(IClaimIssuer[] storage list, IClaimIssuer issuer) private {
        uint256 count = list.length;
        for (uint256 i = 0; i < count; ++i) {
            if (list[i] == issuer) {
                list[i] = list[count - 1];
                list.pop();
                return;
            }
        }
    }
}
