// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentity} from "./IIdentity.sol";

/**
 * @title IClaimIssuer
 * @notice An identity that signs claims for others and can revoke them (ONCHAINID ClaimIssuer).
 */
interface IClaimIssuer is IIdentity {
    /// @notice Emitted after a claim signature was revoked.
    event ClaimRevoked(bytes signature);

    error ClaimAlreadyRevoked();

    function revokeClaimBySignature(bytes calldata signature) external;
    function isClaimRevoked(bytes calldata signature) external view returns (bool);
}
