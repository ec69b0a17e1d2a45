// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IModularCompliance} from "../interfaces/IModularCompliance.sol";
import {IComplianceModule} from "../interfaces/IComplianceModule.sol";

/**
 * @title ModularCompliance
 * @notice Bound to one token. A transfer or mint is compliant when every module accepts it; the
 * token reports each completed transfer, mint and burn so that stateful modules stay in step.
 */
contract ModularCompliance is IModularCompliance, Ownable2Step {
    /// @notice Bounded because every transfer calls every module.
    uint256 public constant MAX_MODULES = 25;

    address private _tokenBound;
    address[] private _modules;
    mapping(address module => bool) private _moduleBound;

    modifier onlyToken() {
        if (msg.sender != _tokenBound || msg.sender == address(0)) revert CallerNotToken(msg.sender);
        _;
    }

    constructor(address initialOwner) Ownable(initialOwner) {}

    /**
     * @notice Binds `token`. The owner may bind any token; a token may bind itself while no token
     * is bound (the token constructor does that).
     */
    function bindToken(address token) external {
        if (msg.sender != owner() && !(_tokenBound == address(0) && msg.sender == token)) {
            revert CallerNotOwnerOrToken(msg.sender);
        }
        if (token == address(0)) revert ZeroAddress();
        if (_tokenBound != address(0)) revert TokenAlreadyBound(_tokenBound);
        _tokenBound = token;
        emit TokenBound(token);
    }

    /// @notice Unbinds `token`. Owner or the token itself.
    function unbindToken(address token) external {
        if (msg.sender != owner() && msg.sender != token) revert CallerNotOwnerOrToken(msg.sender);
        if (token == address(0) || token != _tokenBound) revert TokenNotBound(token);
        _tokenBound = address(0);
        emit TokenUnbound(token);
    }

    /// @notice Adds a rule module. Owner only. Stateful modules refuse to bind once tokens exist.
    function addModule(address module) external onlyOwner {
        if (module == address(0)) revert ZeroAddress();
        if (_moduleBound[module]) revert ModuleAlreadyBound(module);
        if (_modules.length >= MAX_MODULES) revert TooManyModules(MAX_MODULES);
        IComplianceModule rule = IComplianceModule(module);
        if (!rule.isPlugAndPlay() && !rule.canComplianceBind(address(this))) revert ModuleCannotBind(module);
        _moduleBound[module] = true;
        _modules.push(module);
        emit ModuleAdded(module);
        rule.bindCompliance(address(this));
    }

    /// @notice Removes a rule module. Owner only.
    function removeModule(address module) external onlyOwner {
        if (!_moduleBound[module]) revert ModuleNotBound(module);
        uint256 count = _modules.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_modules[i] == module) {
                _modules[i] = _modules[count - 1];
                _modules.pop();
                break;
            }
        }
        _moduleBound[module] = false;
        emit ModuleRemoved(module);
        IComplianceModule(module).unbindCompliance(address(this));
    }

    /**
     * @notice Calls a configuration function on a bound module, as this compliance (modules accept
     * configuration only from their compliance). Owner only. Reverts bubble up unchanged.
     */
    function callModuleFunction(bytes calldata callData, address module) external onlyOwner {
        if (!_moduleBound[module]) revert ModuleNotBound(module);
        Address.functionCall(module, callData);
        emit ModuleInteraction(module, bytes4(callData[:4]));
    }

    /// @notice Hook: the bound token moved `amount` from `from` to `to`. Token only.
    function transferred(address from, address to, uint256 amount) external onlyToken {
        uint256 count = _modules.length;
        for (uint256 i = 0; i < count; ++i) {
            IComplianceModule(_modules[i]).moduleTransferAction(from, to, amount);
        }
    }

    /// @notice Hook: the bound token minted `amount` to `to`. Token only.
    function created(address to, uint256 amount) external onlyToken {
        uint256 count = _modules.length;
        for (uint256 i = 0; i < count; ++i) {
            IComplianceModule(_modules[i]).moduleMintAction(to, amount);
        }
    }

    /// @notice Hook: the bound token burnt `amount` from `from`. Token only.
    function destroyed(address from, uint256 amount) external onlyToken {
        uint256 count = _modules.length;
        for (uint256 i = 0; i < count; ++i) {
            IComplianceModule(_modules[i]).moduleBurnAction(from, amount);
        }
    }

    /// @notice Whether every module accepts moving `amount` from `from` (zero for a mint) to `to`.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        return firstFailingModule(from, to, amount) == address(0);
    }

    /**
     * @notice The first module refusing the transfer, or zero when all accept. A diagnostic for
     * pre-trade checks: the token itself only reports that the transfer is not compliant.
     */
    function firstFailingModule(address from, address to, uint256 amount) public view returns (address) {
        uint256 count = _modules.length;
        for (uint256 i = 0; i < count; ++i) {
            if (!IComplianceModule(_modules[i]).moduleCheck(from, to, amount, address(this))) return _modules[i];
        }
        return address(0);
    }

    /// @notice The bound modules, in evaluation order.
    function getModules() external view returns (address[] memory) {
        return _modules;
    }

    /// @notice The bound token (zero when none).
    function getTokenBound() external view returns (address) {
        return _tokenBound;
    }

    /// @notice Whether `module` is bound.
    function isModuleBound(address module) external view returns (bool) {
        return _moduleBound[module];
    }
}
