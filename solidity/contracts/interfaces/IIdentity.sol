// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title IIdentity
 * @notice The subset of ONCHAINID (ERC-734 keys + ERC-735 claims) that the identity registry relies
 * on. A claim is identified by keccak256(abi.encode(issuer, topic)); its signature is the issuer's
 * EIP-191 signature over keccak256(abi.encode(identity, topic, data)).
 */
interface IIdentity {
    /// @notice Emitted after a key gained a purpose.
    event KeyAdded(bytes32 indexed key, uint256 indexed purpose, uint256 indexed keyType);
    /// @notice Emitted after a key lost a purpose.
    event KeyRemoved(bytes32 indexed key, uint256 indexed purpose, uint256 indexed keyType);
    /// @notice Emitted after a new claim was stored.
    event ClaimAdded(
        bytes32 indexed claimId, uint256 indexed topic, uint256 scheme, address indexed issuer, bytes signature, bytes data, string uri
    );
    /// @notice Emitted after an existing claim (same issuer and topic) was replaced.
    event ClaimChanged(
        bytes32 indexed claimId, uint256 indexed topic, uint256 scheme, address indexed issuer, bytes signature, bytes data, string uri
    );
    /// @notice Emitted after a claim was deleted.
    event ClaimRemoved(
        bytes32 indexed claimId, uint256 indexed topic, uint256 scheme, address indexed issuer, bytes signature, bytes data, string uri
    );

    error KeyLacksPurpose(bytes32 key, uint256 purpose);
    error KeyAlreadyHasPurpose(bytes32 key, uint256 purpose);
    error InvalidClaim(address issuer, uint256 topic);
    error ClaimNotFound(bytes32 claimId);
    error TooManyClaimsForTopic(uint256 topic, uint256 limit);

    function addKey(bytes32 key, uint256 purpose, uint256 keyType) external returns (bool success);
    function removeKey(bytes32 key, uint256 purpose) external returns (bool success);
    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool exists);

    function addClaim(
        uint256 topic,
        uint256 scheme,
        address issuer,
        bytes calldata signature,
        bytes calldata data,
        string calldata uri
    ) external returns (bytes32 claimRequestId);
    function removeClaim(bytes32 claimId) external returns (bool success);
    function getClaim(bytes32 claimId)
        external
        view
        returns (uint256 topic, uint256 scheme, address issuer, bytes memory signature, bytes memory data, string memory uri);
    function getClaimIdsByTopic(uint256 topic) external view returns (bytes32[] memory claimIds);

    /// @notice Whether `signature` over (identity, topic, data) was made by a claim key of this contract.
    function isClaimValid(IIdentity identity, uint256 topic, bytes calldata signature, bytes calldata data)
        external
        view
        returns (bool);
}
