// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IModularCompliance
/// @notice The compliance contract of one token: a list of rule modules (ERC-3643).
interface IModularCompliance {
    /// @notice Emitted after `token` was bound.
    event TokenBound(address indexed token);
    /// @notice Emitted after `token` was unbound.
    event TokenUnbound(address indexed token);
    /// @notice Emitted after `module` was added.
    event ModuleAdded(address indexed module);
    /// @notice Emitted after `module` was removed.
    event ModuleRemoved(address indexed module);
    /// @notice Emitted after the owner called `selector` on module `target`.
    event ModuleInteraction(address indexed target, bytes4 selector);

    error CallerNotToken(address caller);
    error CallerNotOwnerOrToken(address caller);
    error TokenAlreadyBound(address token);
    error TokenNotBound(address token);
    error ModuleAlreadyBound(address module);
    error ModuleNotBound(address module);
    error ModuleCannotBind(address module);
    error TooManyModules(uint256 limit);
    error ZeroAddress();

    function bindToken(address token) external;
    function unbindToken(address token) external;
    function addModule(address module) external;
    function removeModule(address module) external;
    function callModuleFunction(bytes calldata callData, address module) external;

    function transferred(address from, address to, uint256 amount) external;
    function created(address to, uint256 amount) external;
    function destroyed(address from, uint256 amount) external;

    function canTransfer(address from, address to, uint256 amount) external view returns (bool);
    function getModules() external view returns (address[] memory);
    function getTokenBound() external view returns (address);
    function isModuleBound(address module) external view returns (bool);
}
