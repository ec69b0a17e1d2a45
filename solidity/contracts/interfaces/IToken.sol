// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";
import {IModularCompliance} from "./IModularCompliance.sol";

/**
 * @title IToken
 * @notice The ERC-3643 surface beyond ERC-20 and Pausable (which the token inherits from
 * OpenZeppelin, with its Paused/Unpaused events and EnforcedPause/ExpectedPause errors).
 */
interface IToken {
    /// @notice Emitted after name, symbol or onchainID changed.
    event UpdatedTokenInformation(string newName, string newSymbol, uint8 newDecimals, string newVersion, address newOnchainID);
    /// @notice Emitted after the identity registry was set.
    event IdentityRegistryAdded(address indexed identityRegistry);
    /// @notice Emitted after the compliance was set.
    event ComplianceAdded(address indexed compliance);
    /// @notice Emitted after the balance of `lostWallet` moved to `newWallet` of the same identity.
    event RecoverySuccess(address indexed lostWallet, address indexed newWallet, address indexed investorOnchainID);
    /// @notice Emitted after `userAddress` was frozen or unfrozen by agent `owner`.
    event AddressFrozen(address indexed userAddress, bool indexed isFrozen, address indexed owner);
    /// @notice Emitted after `amount` of `userAddress`'s tokens were frozen.
    event TokensFrozen(address indexed userAddress, uint256 amount);
    /// @notice Emitted after `amount` of `userAddress`'s tokens were unfrozen.
    event TokensUnfrozen(address indexed userAddress, uint256 amount);

    error AddressIsFrozen(address wallet);
    error InsufficientUnfrozenBalance(address wallet, uint256 unfrozenBalance, uint256 needed);
    error ReceiverNotVerified(address wallet);
    error TransferNotCompliant(address from, address to, uint256 amount);
    error FreezeExceedsBalance(address wallet, uint256 available, uint256 amount);
    error UnfreezeExceedsFrozen(address wallet, uint256 frozen, uint256 amount);
    error ArrayLengthMismatch();
    error BatchTooLarge(uint256 size, uint256 limit);
    error RecoveryNoBalance(address lostWallet);
    error RecoveryIdentityMismatch(address lostWallet, address newWallet, address investorOnchainID);
    error DecimalsOutOfRange(uint8 decimals);
    error EmptyTokenInformation();

    function setName(string calldata name) external;
    function setSymbol(string calldata symbol) external;
    function setOnchainID(address onchainID) external;
    function pause() external;
    function unpause() external;
    function setAddressFrozen(address userAddress, bool freeze) external;
    function freezePartialTokens(address userAddress, uint256 amount) external;
    function unfreezePartialTokens(address userAddress, uint256 amount) external;
    function setIdentityRegistry(IIdentityRegistry identityRegistry) external;
    function setCompliance(IModularCompliance compliance) external;
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool);
    function mint(address to, uint256 amount) external;
    function burn(address userAddress, uint256 amount) external;
    function recoveryAddress(address lostWallet, address newWallet, address investorOnchainID) external returns (bool);
    function batchTransfer(address[] calldata toList, uint256[] calldata amounts) external;
    function batchForcedTransfer(address[] calldata fromList, address[] calldata toList, uint256[] calldata amounts) external;
    function batchMint(address[] calldata toList, uint256[] calldata amounts) external;
    function batchBurn(address[] calldata userAddresses, uint256[] calldata amounts) external;
    function batchSetAddressFrozen(address[] calldata userAddresses, bool[] calldata freeze) external;
    function batchFreezePartialTokens(address[] calldata userAddresses, uint256[] calldata amounts) external;
    function batchUnfreezePartialTokens(address[] calldata userAddresses, uint256[] calldata amounts) external;

    function onchainID() external view returns (address);
    function version() external view returns (string memory);
    function identityRegistry() external view returns (IIdentityRegistry);
    function compliance() external view returns (IModularCompliance);
    function isFrozen(address userAddress) external view returns (bool);
    function getFrozenTokens(address userAddress) external view returns (uint256);
}
