// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/**
 * @title AgentRole
 * @notice The ERC-3643 agent role: an owner (two-step transfer) who appoints agents, and agents
 * who run day-to-day operations (mint, burn, freeze, forced transfer, registration).
 */
abstract contract AgentRole is Ownable2Step {
    /// @notice Upper bound on agents, so that role reviews stay tractable.
    uint256 public constant MAX_AGENTS = 32;

    mapping(address agent => bool) private _agents;
    uint256 private _agentCount;

    /// @notice Emitted after `agent` was granted the agent role.
    event AgentAdded(address indexed agent);
    /// @notice Emitted after `agent` lost the agent role.
    event AgentRemoved(address indexed agent);

    error CallerNotAgent(address caller);
    error AgentAlreadyAdded(address agent);
    error AgentNotFound(address agent);
    error TooManyAgents(uint256 limit);
    error ZeroAddress();

    modifier onlyAgent() {
        if (!_agents[msg.sender]) revert CallerNotAgent(msg.sender);
        _;
    }

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Grants the agent role to `agent`. Owner only.
    function addAgent(address agent) external onlyOwner {
        _addAgent(agent);
    }

    /// @notice Revokes the agent role from `agent`. Owner only.
    function removeAgent(address agent) external onlyOwner {
        _removeAgent(agent);
    }

    /// @notice Whether `account` holds the agent role.
    function isAgent(address account) public view returns (bool) {
        return _agents[account];
    }

    function _addAgent(address agent) internal {
        if (agent == address(0)) revert ZeroAddress();
        if (_agents[agent]) revert AgentAlreadyAdded(agent);
        if (_agentCount >= MAX_AGENTS) revert TooManyAgents(MAX_AGENTS);
        _agents[agent] = true;
        ++_agentCount;
        emit AgentAdded(agent);
    }

    function _removeAgent(address agent) internal {
        if (!_agents[agent]) revert AgentNotFound(agent);
        _agents[agent] = false;
        --_agentCount;
        emit AgentRemoved(agent);
    }
}
