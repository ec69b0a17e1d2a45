// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Identity} from "./Identity.sol";
import {IIdentity} from "../interfaces/IIdentity.sol";
import {IClaimIssuer} from "../interfaces/IClaimIssuer.sol";

/**
 * @title ClaimIssuer
 * @notice An identity whose claim keys sign claims for investors (KYC provider, the platform's
 * compliance desk). Trusted issuers registries list ClaimIssuer addresses; a claim stays valid
 * while its signer holds the claim purpose here and its signature has not been revoked.
 */
contract ClaimIssuer is Identity, IClaimIssuer {
    mapping(bytes32 signatureHash => bool) private _revoked;

    /// @param initialManagementKey Address managing the issuer's keys and revocations.
    constructor(address initialManagementKey) Identity(initialManagementKey) {}

    /// @notice Revokes a claim by its signature. Management key only.
    function revokeClaimBySignature(bytes calldata signature) external onlyPurpose(MANAGEMENT_PURPOSE) {
        bytes32 signatureHash = keccak256(signature);
        if (_revoked[signatureHash]) revert ClaimAlreadyRevoked();
        _revoked[signatureHash] = true;
        emit ClaimRevoked(signature);
    }

    /// @notice Whether the claim carrying `signature` was revoked.
    function isClaimRevoked(bytes calldata signature) public view returns (bool) {
        return _revoked[keccak256(signature)];
    }

    /// @inheritdoc Identity
    function isClaimValid(IIdentity identity, uint256 topic, bytes calldata signature, bytes calldata data)
        public
        view
        override(Identity, IIdentity)
        returns (bool)
    {
        return !isClaimRevoked(signature) && super.isClaimValid(identity, topic, signature, data);
    }
}
