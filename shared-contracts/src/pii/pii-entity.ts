// The kinds of personal data the PII guard recognises, and the bit each one owns in the
// guard's internal masks (a mask lets one leaf collect several entities without allocating).

export type PiiEntity =
  | 'person_name'
  | 'email'
  | 'phone'
  | 'payment_card'
  | 'iban'
  | 'national_id'
  | 'passport'
  | 'date_of_birth'
  | 'postal_address';

/** Entities in the order their findings are reported for one path. */
export const PII_ENTITIES: readonly PiiEntity[] = [
  'person_name',
  'email',
  'phone',
  'payment_card',
  'iban',
  'national_id',
  'passport',
  'date_of_birth',
  'postal_address',
];

export const BIT_PERSON_NAME = 1 << 0;
export const BIT_EMAIL = 1 << 1;
export const BIT_PHONE = 1 << 2;
export const BIT_PAYMENT_CARD = 1 << 3;
export const BIT_IBAN = 1 << 4;
export const BIT_NATIONAL_ID = 1 << 5;
export const BIT_PASSPORT = 1 << 6;
export const BIT_DATE_OF_BIRTH = 1 << 7;
export const BIT_POSTAL_ADDRESS = 1 << 8;
