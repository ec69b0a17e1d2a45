// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AbstractModule} from "./AbstractModule.sol";
import {IToken} from "../../interfaces/IToken.sol";

/**
 * @title CountryAllowModule
 * @notice Receivers (of transfers and mints) must be registered in an allowed country (ISO 3166-1
 * numeric code from the identity registry).
 */
contract CountryAllowModule is AbstractModule {
    /// @notice Upper bound on one batch of country changes.
    uint256 public constant MAX_COUNTRIES_PER_CALL = 200;

    mapping(address compliance => mapping(uint16 country => bool)) private _allowed;

    /// @notice Emitted after `country` was allowed for `compliance`.
    event CountryAllowed(address indexed compliance, uint16 indexed country);
    /// @notice Emitted after `country` was disallowed for `compliance`.
    event CountryUnallowed(address indexed compliance, uint16 indexed country);

    error CountryAlreadyAllowed(address compliance, uint16 country);
    error CountryNotAllowed(address compliance, uint16 country);
    error TooManyCountries(uint256 size, uint256 limit);

    /// @notice Allows `countries` for the calling compliance.
    function batchAllowCountries(uint16[] calldata countries) external onlyBoundCompliance {
        uint256 count = countries.length;
        if (count > MAX_COUNTRIES_PER_CALL) revert TooManyCountries(count, MAX_COUNTRIES_PER_CALL);
        for (uint256 i = 0; i < count; ++i) {
            _allowCountry(countries[i]);
        }
    }

    /// @notice Allows `country` for the calling compliance.
    function addAllowedCountry(uint16 country) external onlyBoundCompliance {
        _allowCountry(country);
    }

    /// @notice Disallows `country` for the calling compliance.
    function removeAllowedCountry(uint16 country) external onlyBoundCompliance {
        if (!_allowed[msg.sender][country]) revert CountryNotAllowed(msg.sender, country);
        _allowed[msg.sender][country] = false;
        emit CountryUnallowed(msg.sender, country);
    }

    /// @notice Whether `country` is allowed for `compliance`.
    function isCountryAllowed(address compliance, uint16 country) public view returns (bool) {
        return _allowed[compliance][country];
    }

    /// @notice Hook: nothing to record (the rule reads current state only).
    function moduleTransferAction(address, address, uint256) external onlyBoundCompliance {}

    /// @notice Hook: nothing to record.
    function moduleMintAction(address, uint256) external onlyBoundCompliance {}

    /// @notice Hook: nothing to record.
    function moduleBurnAction(address, uint256) external onlyBoundCompliance {}

    /// @inheritdoc AbstractModule
    function canComplianceBind(address) public pure override returns (bool) {
        return true;
    }

    /// @notice The receiver's registered country must be allowed.
    function moduleCheck(address, address to, uint256, address compliance) external view returns (bool) {
        uint16 country = IToken(address(_token(compliance))).identityRegistry().investorCountry(to);
        return _allowed[compliance][country];
    }

    /// @notice Whether the module may bind to a compliance whose token already has holders.
    function isPlugAndPlay() external pure returns (bool) {
        return true;
    }

    /// @notice The module's name, for operators and indexers.
    function name() external pure returns (string memory) {
        return "CountryAllowModule";
    }

    function _allowCountry(uint16 country) private {
        if (_allowed[msg.sender][country]) revert CountryAlreadyAllowed(msg.sender, country);
        _allowed[msg.sender][country] = true;
        emit CountryAllowed(msg.sender, country);
    }
}
