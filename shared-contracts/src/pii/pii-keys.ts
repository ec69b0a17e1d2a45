// Key rules: object keys that name personal data, matched EXACTLY after normalisation (lower
// case, without `_`, `-`, spaces and dots), so `first_name`, `firstName` and `FIRST-NAME` are
// one key while `instrumentName`, `venueName`, `walletAddress` or `ipAddress` match nothing.

import type { PiiEntity } from './pii-entity.js';

/** How a value under a personal-data key is judged (see `valueMatchesRule` in pii-guard.ts). */
export type KeyValueShape =
  | 'text' // any non-blank string: names, emails, cities
  | 'phone' // a string with a digit, or a number
  | 'date' // a date-like string (has a digit), a number or a Date
  | 'document' // an identifier: a string with a letter or digit, or a number
  | 'postal' // a non-blank string that is not a 0x-hex value or an opaque crypto-address token
  | 'postcode'; // a non-blank string or a number

export interface KeyRule {
  readonly entity: PiiEntity;
  readonly shape: KeyValueShape;
}

function rules(entity: PiiEntity, shape: KeyValueShape, keys: readonly string[]): [string, KeyRule][] {
  const rule: KeyRule = { entity, shape };
  return keys.map((key) => [key, rule]);
}

export const KEY_RULES: ReadonlyMap<string, KeyRule> = new Map([
  ...rules('person_name', 'text', [
    'name', 'fullname', 'firstname', 'lastname', 'surname', 'givenname', 'givennames', 'forename', 'forenames',
    'familyname', 'middlename', 'middlenames', 'maidenname', 'mothersmaidenname', 'birthname', 'legalname',
    'preferredname', 'nickname', 'displayname', 'customername', 'clientname', 'investorname', 'holdername',
    'accountholder', 'accountholdername', 'accountname', 'cardholder', 'cardholdername', 'beneficiaryname',
    'payeename', 'payername', 'sendername', 'recipientname', 'receivername', 'ownername', 'contactname',
    'signatoryname', 'nomineename', 'guardianname', 'spousename', 'fathername', 'fathersname', 'mothername',
    'mothersname', 'nextofkin', 'personname',
  ]),
  ...rules('email', 'text', [
    'email', 'emailaddress', 'mail', 'emailid', 'contactemail', 'personalemail', 'workemail', 'recoveryemail',
  ]),
  ...rules('phone', 'phone', [
    'phone', 'phoneno', 'phonenumber', 'phonenum', 'mobile', 'mobileno', 'mobilenumber', 'mobilephone', 'cell',
    'cellphone', 'cellnumber', 'tel', 'telno', 'telephone', 'telephoneno', 'telephonenumber', 'msisdn',
    'contactnumber', 'contactphone', 'homephone', 'workphone', 'landline', 'fax', 'faxnumber', 'whatsapp',
    'whatsappnumber',
  ]),
  ...rules('date_of_birth', 'date', [
    'dob', 'dateofbirth', 'birthdate', 'birthday', 'birthdt', 'bday', 'bdate', 'birthyear', 'yearofbirth',
  ]),
  ...rules('passport', 'document', [
    'passport', 'passportno', 'passportnr', 'passportnum', 'passportnumber', 'passportid',
  ]),
  ...rules('national_id', 'document', [
    'ssn', 'socialsecurity', 'socialsecurityno', 'socialsecuritynumber', 'nic', 'nicno', 'nicnumber',
    'nationalid', 'nationalidno', 'nationalidnumber', 'nationalidentitycard', 'nationalidentitynumber',
    'nationalidentitycardnumber', 'nino', 'ninumber', 'nationalinsurance', 'nationalinsuranceno',
    'nationalinsurancenumber', 'idnumber', 'idno', 'idcardnumber', 'identitynumber', 'identitycardnumber',
    'drivinglicence', 'drivinglicense', 'driverslicense', 'driverslicence', 'drivinglicencenumber',
    'driverslicensenumber',
  ]),
  ...rules('payment_card', 'document', [
    'pan', 'cardnumber', 'cardno', 'cardnum', 'ccnumber', 'creditcard', 'creditcardnumber', 'debitcard',
    'debitcardnumber', 'primaryaccountnumber',
  ]),
  ...rules('iban', 'document', ['iban', 'ibannumber', 'ibanno', 'bankaccountnumber', 'bankaccountno']),
  ...rules('postal_address', 'postal', [
    'address', 'postaladdress', 'homeaddress', 'residentialaddress', 'mailingaddress', 'billingaddress',
    'shippingaddress', 'permanentaddress', 'streetaddress', 'street', 'streetname', 'streetline',
    'addressline', 'addressline1', 'addressline2', 'addressline3', 'address1', 'address2', 'address3',
    'addr', 'addr1', 'addr2',
  ]),
  ...rules('postal_address', 'postcode', [
    'postcode', 'postalcode', 'zip', 'zipcode', 'pincode', 'housenumber', 'housenr', 'housename',
    'buildingnumber', 'flatnumber', 'apartment', 'apartmentnumber',
  ]),
  ...rules('postal_address', 'text', ['city', 'town', 'village', 'locality']),
]);

/** Lower case without `_`, `-`, spaces and dots. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_ .]/g, '');
}
