// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AgentRole} from "../roles/AgentRole.sol";
import {IToken} from "../interfaces/IToken.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IModularCompliance} from "../interfaces/IModularCompliance.sol";

/**
 * @title Token
 * @notice An ERC-3643 permissioned security token. Every transfer and mint requires a verified
 * receiver (identity registry) and a compliant movement (modular compliance). Agents pause,
 * freeze wallets or parts of balances, mint, burn, force transfers and recover lost wallets.
 *
 * Checks live in the public entry points, and balances move only through ERC20's internal
 * _transfer/_mint/_burn, each followed by the matching compliance hook.
 */
contract Token is IToken, ERC20, Pausable, AgentRole {
    /// @notice Upper bound on every batch operation.
    uint256 public constant MAX_BATCH_SIZE = 100;
    string private constant _VERSION = "1.0.0";

    string private _tokenName;
    string private _tokenSymbol;
    uint8 private immutable _tokenDecimals;
    address private _tokenOnchainID;
    IIdentityRegistry private _identityRegistry;
    IModularCompliance private _compliance;

    mapping(address wallet => bool) private _frozenWallets;
    mapping(address wallet => uint256) private _frozenTokens;

    /**
     * @param initialOwner Owner (sets registry, compliance and token information; appoints agents).
     * @param name_ Token name.
     * @param symbol_ Token symbol.
     * @param decimals_ Decimals, at most 18.
     * @param onchainID_ The token's own identity contract, or zero.
     * @param identityRegistry_ Identity registry deciding who is verified.
     * @param compliance_ Modular compliance; the token binds itself to it.
     */
    constructor(
        address initialOwner,
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address onchainID_,
        IIdentityRegistry identityRegistry_,
        IModularCompliance compliance_
    ) ERC20("", "") AgentRole(initialOwner) {
        if (bytes(name_).length == 0 || bytes(symbol_).length == 0) revert EmptyTokenInformation();
        if (decimals_ > 18) revert DecimalsOutOfRange(decimals_);
        _tokenName = name_;
        _tokenSymbol = symbol_;
        _tokenDecimals = decimals_;
        _tokenOnchainID = onchainID_;
        emit UpdatedTokenInformation(name_, symbol_, decimals_, _VERSION, onchainID_);
        _setIdentityRegistry(identityRegistry_);
        _setCompliance(compliance_);
    }

    // ---------------------------------------------------------------- token information

    /// @notice Renames the token. Owner only.
    function setName(string calldata name_) external onlyOwner {
        if (bytes(name_).length == 0) revert EmptyTokenInformation();
        _tokenName = name_;
        emit UpdatedTokenInformation(name_, _tokenSymbol, _tokenDecimals, _VERSION, _tokenOnchainID);
    }

    /// @notice Changes the symbol. Owner only.
    function setSymbol(string calldata symbol_) external onlyOwner {
        if (bytes(symbol_).length == 0) revert EmptyTokenInformation();
        _tokenSymbol = symbol_;
        emit UpdatedTokenInformation(_tokenName, symbol_, _tokenDecimals, _VERSION, _tokenOnchainID);
    }

    /// @notice Sets the token's identity contract. Owner only.
    function setOnchainID(address onchainID_) external onlyOwner {
        _tokenOnchainID = onchainID_;
        emit UpdatedTokenInformation(_tokenName, _tokenSymbol, _tokenDecimals, _VERSION, onchainID_);
    }

    /// @notice Replaces the identity registry. Owner only.
    function setIdentityRegistry(IIdentityRegistry identityRegistry_) external onlyOwner {
        _setIdentityRegistry(identityRegistry_);
    }

    /// @notice Replaces the compliance (unbinding the previous one). Owner only.
    function setCompliance(IModularCompliance compliance_) external onlyOwner {
        _setCompliance(compliance_);
    }

    /// @notice The token name.
    function name() public view override returns (string memory) {
        return _tokenName;
    }

    /// @notice The token symbol.
    function symbol() public view override returns (string memory) {
        return _tokenSymbol;
    }

    /// @notice The token decimals.
    function decimals() public view override returns (uint8) {
        return _tokenDecimals;
    }

    /// @notice The token's identity contract (zero when none).
    function onchainID() external view returns (address) {
        return _tokenOnchainID;
    }

    /// @notice The implementation version.
    function version() external pure returns (string memory) {
        return _VERSION;
    }

    /// @notice The identity registry in use.
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _identityRegistry;
    }

    /// @notice The compliance in use.
    function compliance() external view returns (IModularCompliance) {
        return _compliance;
    }

    // ---------------------------------------------------------------- holder transfers

    /**
     * @notice ERC-20 transfer, refused while paused, when either wallet is frozen, when `amount`
     * exceeds the sender's unfrozen balance, when `to` is not verified or not compliant.
     */
    function transfer(address to, uint256 amount) public override whenNotPaused returns (bool) {
        _checkedTransfer(msg.sender, to, amount);
        return true;
    }

    /// @notice ERC-20 transferFrom with the same checks as transfer, plus the allowance.
    function transferFrom(address from, address to, uint256 amount) public override whenNotPaused returns (bool) {
        _spendAllowance(from, msg.sender, amount);
        _checkedTransfer(from, to, amount);
        return true;
    }

    /// @notice Transfers to several receivers, all or none (any refusal reverts the batch).
    function batchTransfer(address[] calldata toList, uint256[] calldata amounts) external whenNotPaused {
        uint256 count = _checkBatch(toList.length, amounts.length);
        for (uint256 i = 0; i < count; ++i) {
            _checkedTransfer(msg.sender, toList[i], amounts[i]);
        }
    }

    // ---------------------------------------------------------------- agent operations

    /// @notice Halts holder transfers. Agent only.
    function pause() external onlyAgent {
        _pause();
    }

    /// @notice Resumes holder transfers. Agent only.
    function unpause() external onlyAgent {
        _unpause();
    }

    /// @notice Mints to a verified receiver, subject to compliance. Agent only.
    function mint(address to, uint256 amount) external onlyAgent {
        _checkedMint(to, amount);
    }

    /// @notice Burns from `userAddress`, unfreezing partial tokens if the free balance is short. Agent only.
    function burn(address userAddress, uint256 amount) external onlyAgent {
        _forcedBurn(userAddress, amount);
    }

    /**
     * @notice Moves tokens without the holder's consent (court order, error correction). Ignores
     * pause, address freezes and compliance rules, unfreezes partial tokens as needed, but the
     * receiver must be verified. Agent only.
     */
    function forcedTransfer(address from, address to, uint256 amount) external onlyAgent returns (bool) {
        _forcedTransfer(from, to, amount);
        return true;
    }

    /// @notice Freezes or unfreezes every token of `userAddress`. Agent only.
    function setAddressFrozen(address userAddress, bool freeze) external onlyAgent {
        _setAddressFrozen(userAddress, freeze);
    }

    /// @notice Freezes `amount` of `userAddress`'s unfrozen balance. Agent only.
    function freezePartialTokens(address userAddress, uint256 amount) external onlyAgent {
        _freezePartialTokens(userAddress, amount);
    }

    /// @notice Unfreezes `amount` of `userAddress`'s frozen tokens. Agent only.
    function unfreezePartialTokens(address userAddress, uint256 amount) external onlyAgent {
        _unfreezePartialTokens(userAddress, amount);
    }

    /**
     * @notice Moves the whole balance (and its freezes) of a lost wallet to a new wallet that is
     * verified under the same identity. Agent only.
     */
    function recoveryAddress(address lostWallet, address newWallet, address investorOnchainID)
        external
        onlyAgent
        returns (bool)
    {
        uint256 balance = balanceOf(lostWallet);
        if (balance == 0) revert RecoveryNoBalance(lostWallet);
        if (
            investorOnchainID == address(0) || address(_identityRegistry.identity(lostWallet)) != investorOnchainID
                || address(_identityRegistry.identity(newWallet)) != investorOnchainID
        ) revert RecoveryIdentityMismatch(lostWallet, newWallet, investorOnchainID);
        if (!_identityRegistry.isVerified(newWallet)) revert ReceiverNotVerified(newWallet);

        uint256 frozenAmount = _frozenTokens[lostWallet];
        bool walletFrozen = _frozenWallets[lostWallet];
        _frozenTokens[lostWallet] = 0;
        _transfer(lostWallet, newWallet, balance);
        _compliance.transferred(lostWallet, newWallet, balance);
        if (frozenAmount != 0) {
            _frozenTokens[newWallet] += frozenAmount;
            emit TokensUnfrozen(lostWallet, frozenAmount);
            emit TokensFrozen(newWallet, frozenAmount);
        }
        if (walletFrozen && !_frozenWallets[newWallet]) _setAddressFrozen(newWallet, true);
        emit RecoverySuccess(lostWallet, newWallet, investorOnchainID);
        return true;
    }

    /// @notice Forced transfers in one atomic batch. Agent only.
    function batchForcedTransfer(address[] calldata fromList, address[] calldata toList, uint256[] calldata amounts)
        external
        onlyAgent
    {
        uint256 count = _checkBatch(fromList.length, amounts.length);
        if (toList.length != count) revert ArrayLengthMismatch();
        for (uint256 i = 0; i < count; ++i) {
            _forcedTransfer(fromList[i], toList[i], amounts[i]);
        }
    }

    /// @notice Mints in one atomic batch. Agent only.
    function batchMint(address[] calldata toList, uint256[] calldata amounts) external onlyAgent {
        uint256 count = _checkBatch(toList.length, amounts.length);
        for (uint256 i = 0; i < count; ++i) {
            _checkedMint(toList[i], amounts[i]);
        }
    }

    /// @notice Burns in one atomic batch. Agent only.
    function batchBurn(address[] calldata userAddresses, uint256[] calldata amounts) external onlyAgent {
        uint256 count = _checkBatch(userAddresses.length, amounts.length);
        for (uint256 i = 0; i < count; ++i) {
            _forcedBurn(userAddresses[i], amounts[i]);
        }
    }

    /// @notice Freezes or unfreezes wallets in one atomic batch. Agent only.
    function batchSetAddressFrozen(address[] calldata userAddresses, bool[] calldata freeze) external onlyAgent {
        uint256 count = _checkBatch(userAddresses.length, freeze.length);
        for (uint256 i = 0; i < count; ++i) {
            _setAddressFrozen(userAddresses[i], freeze[i]);
        }
    }

    /// @notice Freezes partial balances in one atomic batch. Agent only.
    function batchFreezePartialTokens(address[] calldata userAddresses, uint256[] calldata amounts) external onlyAgent {
        uint256 count = _checkBatch(userAddresses.length, amounts.length);
        for (uint256 i = 0; i < count; ++i) {
            _freezePartialTokens(userAddresses[i], amounts[i]);
        }
    }

    /// @notice Unfreezes partial balances in one atomic batch. Agent only.
    function batchUnfreezePartialTokens(address[] calldata userAddresses, uint256[] calldata amounts) external onlyAgent {
        uint256 count = _checkBatch(userAddresses.length, amounts.length);
        for (uint256 i = 0; i < count; ++i) {
            _unfreezePartialTokens(userAddresses[i], amounts[i]);
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice Whether every token of `userAddress` is frozen.
    function isFrozen(address userAddress) external view returns (bool) {
        return _frozenWallets[userAddress];
    }

    /// @notice The partially frozen amount of `userAddress`.
    function getFrozenTokens(address userAddress) external view returns (uint256) {
        return _frozenTokens[userAddress];
    }

    // ---------------------------------------------------------------- internals

    function _checkedTransfer(address from, address to, uint256 amount) private {
        if (_frozenWallets[from]) revert AddressIsFrozen(from);
        if (_frozenWallets[to]) revert AddressIsFrozen(to);
        uint256 unfrozen = _unfrozenBalanceOf(from);
        if (amount > unfrozen) revert InsufficientUnfrozenBalance(from, unfrozen, amount);
        if (!_identityRegistry.isVerified(to)) revert ReceiverNotVerified(to);
        if (!_compliance.canTransfer(from, to, amount)) revert TransferNotCompliant(from, to, amount);
        _transfer(from, to, amount);
        _compliance.transferred(from, to, amount);
    }

    function _checkedMint(address to, uint256 amount) private {
        if (!_identityRegistry.isVerified(to)) revert ReceiverNotVerified(to);
        if (!_compliance.canTransfer(address(0), to, amount)) revert TransferNotCompliant(address(0), to, amount);
        _mint(to, amount);
        _compliance.created(to, amount);
    }

    function _forcedTransfer(address from, address to, uint256 amount) private {
        _releaseFrozenFor(from, amount);
        if (!_identityRegistry.isVerified(to)) revert ReceiverNotVerified(to);
        _transfer(from, to, amount);
        _compliance.transferred(from, to, amount);
    }

    function _forcedBurn(address userAddress, uint256 amount) private {
        _releaseFrozenFor(userAddress, amount);
        _burn(userAddress, amount);
        _compliance.destroyed(userAddress, amount);
    }

    /// @dev Unfreezes just enough partial tokens for `amount` to leave `wallet`.
    function _releaseFrozenFor(address wallet, uint256 amount) private {
        uint256 balance = balanceOf(wallet);
        if (amount > balance) revert ERC20InsufficientBalance(wallet, balance, amount);
        uint256 unfrozen = _unfrozenBalanceOf(wallet);
        if (amount > unfrozen) {
            uint256 toUnfreeze;
            // Cannot underflow: amount > unfrozen; the result is at most balance - unfrozen = frozen.
            unchecked {
                toUnfreeze = amount - unfrozen;
            }
            _frozenTokens[wallet] -= toUnfreeze;
            emit TokensUnfrozen(wallet, toUnfreeze);
        }
    }

    function _setAddressFrozen(address userAddress, bool freeze) private {
        _frozenWallets[userAddress] = freeze;
        emit AddressFrozen(userAddress, freeze, msg.sender);
    }

    function _freezePartialTokens(address userAddress, uint256 amount) private {
        uint256 available = _unfrozenBalanceOf(userAddress);
        if (amount > available) revert FreezeExceedsBalance(userAddress, available, amount);
        _frozenTokens[userAddress] += amount;
        emit TokensFrozen(userAddress, amount);
    }

    function _unfreezePartialTokens(address userAddress, uint256 amount) private {
        uint256 frozenAmount = _frozenTokens[userAddress];
        if (amount > frozenAmount) revert UnfreezeExceedsFrozen(userAddress, frozenAmount, amount);
        // Cannot underflow: amount <= frozenAmount was just checked.
        unchecked {
            _frozenTokens[userAddress] = frozenAmount - amount;
        }
        emit TokensUnfrozen(userAddress, amount);
    }

    /// @dev Balance minus partially frozen tokens; the invariant frozen <= balance holds because
    /// tokens leave a wallet only through checks that keep it (or that unfreeze first).
    function _unfrozenBalanceOf(address wallet) private view returns (uint256) {
        return balanceOf(wallet) - _frozenTokens[wallet];
    }

    function _checkBatch(uint256 length, uint256 otherLength) private pure returns (uint256) {
        if (length != otherLength) revert ArrayLengthMismatch();
        if (length > MAX_BATCH_SIZE) revert BatchTooLarge(length, MAX_BATCH_SIZE);
        return length;
    }

    function _setIdentityRegistry(IIdentityRegistry identityRegistry_) private {
        if (address(identityRegistry_) == address(0)) revert ZeroAddress();
        _identityRegistry = identityRegistry_;
        emit IdentityRegistryAdded(address(identityRegistry_));
    }

    function _setCompliance(IModularCompliance compliance_) private {
        if (address(compliance_) == address(0)) revert ZeroAddress();
        IModularCompliance previous = _compliance;
        _compliance = compliance_;
        emit ComplianceAdded(address(compliance_));
        if (address(previous) != address(0)) previous.unbindToken(address(this));
        compliance_.bindToken(address(this));
    }
}
