// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IComplianceModule} from "../../interfaces/IComplianceModule.sol";
import {IModularCompliance} from "../../interfaces/IModularCompliance.sol";

/**
 * @title AbstractModule
 * @notice Binding bookkeeping shared by every module: a compliance binds itself, and only a bound
 * compliance may call hooks or configuration functions (through callModuleFunction).
 */
abstract contract AbstractModule is IComplianceModule {
    mapping(address compliance => bool) private _complianceBound;

    modifier onlyBoundCompliance() {
        if (!_complianceBound[msg.sender]) revert CallerNotBoundCompliance(msg.sender);
        _;
    }

    /// @notice Binds the calling compliance (`compliance` must be the caller).
    function bindCompliance(address compliance) external {
        if (msg.sender != compliance) revert CallerNotBoundCompliance(msg.sender);
        if (_complianceBound[compliance]) revert ComplianceAlreadyBound(compliance);
        _complianceBound[compliance] = true;
        emit ComplianceBound(compliance);
    }

    /// @notice Unbinds the calling compliance.
    function unbindCompliance(address compliance) external onlyBoundCompliance {
        if (msg.sender != compliance) revert CallerNotBoundCompliance(msg.sender);
        _complianceBound[compliance] = false;
        emit ComplianceUnbound(compliance);
    }

    /// @notice Whether `compliance` has bound this module.
    function isComplianceBound(address compliance) external view returns (bool) {
        return _complianceBound[compliance];
    }

    /// @notice Stateful modules bind only before any token exists, so their counters start right.
    function canComplianceBind(address compliance) public view virtual returns (bool) {
        address token = IModularCompliance(compliance).getTokenBound();
        return token == address(0) || IERC20(token).totalSupply() == 0;
    }

    function _token(address compliance) internal view returns (IERC20) {
        return IERC20(IModularCompliance(compliance).getTokenBound());
    }
}
