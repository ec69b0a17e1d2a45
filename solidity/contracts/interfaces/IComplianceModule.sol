// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title IComplianceModule
 * @notice A compliance rule plugged into ModularCompliance (ERC-3643 / T-REX module shape). One
 * module contract may serve several compliances; its state is keyed by compliance address.
 */
interface IComplianceModule {
    /// @notice Emitted after `compliance` bound this module.
    event ComplianceBound(address indexed compliance);
    /// @notice Emitted after `compliance` unbound this module.
    event ComplianceUnbound(address indexed compliance);

    error CallerNotBoundCompliance(address caller);
    error ComplianceAlreadyBound(address compliance);
    error ModuleRequiresEmptySupply(address compliance);

    function bindCompliance(address compliance) external;
    function unbindCompliance(address compliance) external;
    function moduleTransferAction(address from, address to, uint256 value) external;
    function moduleMintAction(address to, uint256 value) external;
    function moduleBurnAction(address from, uint256 value) external;

    /// @notice Whether a transfer of `value` from `from` (zero for a mint) to `to` passes this rule.
    function moduleCheck(address from, address to, uint256 value, address compliance) external view returns (bool);
    function isComplianceBound(address compliance) external view returns (bool);
    function canComplianceBind(address compliance) external view returns (bool);
    function isPlugAndPlay() external pure returns (bool);
    function name() external pure returns (string memory);
}
