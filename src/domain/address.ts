import { type FieldError, invalidAddress } from "./errors.js";
import { characterCount, hasForbiddenCharacter } from "./text.js";

/**
 * A postal address in the canonical form an order stores (see `normalizeAddress`): trimmed,
 * NFC, one space between words, the country, region codes and postal codes in their standard
 * case and spacing.
 */
export interface Address {
  /** The recipient, as the carrier prints it. */
  name: string;
  line1: string;
  line2?: string;
  city: string;
  /** A code from `REGION_CODES` for the countries listed there (required); free text elsewhere. */
  region?: string;
  /** Required for the countries of `POSTAL_CODE_RULES`, optional elsewhere. */
  postalCode?: string;
  /** ISO 3166-1 alpha-2, upper-case. */
  country: string;
  /** Digits with an optional leading `+`, separators removed. */
  phone?: string;
}

/** An address as a client sends it, every field possibly missing (the edge checked the types). */
export type AddressInput = { [K in keyof Address]?: string | undefined };

/** The longest value of each text field, in characters (code points, after NFC). */
export const ADDRESS_LIMITS = {
  name: 100,
  line1: 100,
  line2: 100,
  city: 80,
  region: 64,
  postalCode: 16,
  phone: 24,
} as const;

/**
 * The countries whose region is required and is one of these codes: US states, DC, territories
 * and the armed forces' codes (USPS); Canadian provinces and territories (Canada Post);
 * Australian states and territories (Australia Post). Elsewhere a region is optional free text.
 */
export const REGION_CODES: Readonly<Record<string, readonly string[]>> = {
  US: [
    ..."AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO".split(" "),
    ..."MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split(" "),
    ..."DC AS GU MP PR VI AA AE AP".split(" "),
  ],
  CA: "AB BC MB NB NL NS NT NU ON PE QC SK YT".split(" "),
  AU: "ACT NSW NT QLD SA TAS VIC WA".split(" "),
};

interface PostalCodeRule {
  /** Matched against the canonical form. */
  pattern: RegExp;
  /** The canonical form of an upper-cased code without spaces or hyphens. */
  canonical?: (compact: string) => string;
  example: string;
}

const spaceBeforeLast = (n: number) => (compact: string) =>
  `${compact.slice(0, -n)} ${compact.slice(-n)}`;

/**
 * Countries whose postal code is required and must match its pattern. Letters are upper-cased
 * and the space or hyphen put where the post office writes it (CA `K1A 0B1`, GB `SW1A 1AA`,
 * NL `1012 AB`, JP `100-0001`, PL `00-950`, PT `1000-001`, SE `114 55`): a shopper who typed
 * `sw1a1aa` gets the same stored address as one who typed `SW1A 1AA`; US ZIP+4 gets its hyphen.
 */
export const POSTAL_CODE_RULES: Readonly<Record<string, PostalCodeRule>> = {
  US: {
    pattern: /^\d{5}(-\d{4})?$/,
    canonical: (c) => (c.length > 5 ? `${c.slice(0, 5)}-${c.slice(5)}` : c),
    example: "94105 or 94105-1804",
  },
  CA: {
    // No D, F, I, O, Q or U anywhere, and no W or Z first (Canada Post).
    pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$/,
    canonical: spaceBeforeLast(3),
    example: "K1A 0B1",
  },
  GB: {
    pattern: /^([A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|GIR 0AA)$/,
    canonical: spaceBeforeLast(3),
    example: "SW1A 1AA",
  },
  DE: { pattern: /^\d{5}$/, example: "10115" },
  FR: { pattern: /^\d{5}$/, example: "75008" },
  NL: { pattern: /^[1-9]\d{3} [A-Z]{2}$/, canonical: spaceBeforeLast(2), example: "1012 AB" },
  JP: {
    pattern: /^\d{3}-\d{4}$/,
    canonical: (c) => `${c.slice(0, 3)}-${c.slice(3)}`,
    example: "100-0001",
  },
  AU: { pattern: /^\d{4}$/, example: "2000" },
  AT: { pattern: /^\d{4}$/, example: "1010" },
  BE: { pattern: /^\d{4}$/, example: "1000" },
  CH: { pattern: /^\d{4}$/, example: "8001" },
  DK: { pattern: /^\d{4}$/, example: "1050" },
  ES: { pattern: /^\d{5}$/, example: "28001" },
  IT: { pattern: /^\d{5}$/, example: "00118" },
  NZ: { pattern: /^\d{4}$/, example: "6011" },
  PL: {
    pattern: /^\d{2}-\d{3}$/,
    canonical: (c) => `${c.slice(0, 2)}-${c.slice(2)}`,
    example: "00-950",
  },
  PT: {
    pattern: /^\d{4}-\d{3}$/,
    canonical: (c) => `${c.slice(0, 4)}-${c.slice(4)}`,
    example: "1000-001",
  },
  SE: { pattern: /^\d{3} \d{2}$/, canonical: spaceBeforeLast(2), example: "114 55" },
};

/** A postal code of a country without a rule: letters, digits, inner spaces and hyphens. */
const LOOSE_POSTAL_CODE = /^[\p{L}\p{N}]([\p{L}\p{N} -]*[\p{L}\p{N}])?$/u;

/** Separators a phone number may be typed with; they are dropped from the stored form. */
const PHONE_SEPARATORS = /[\s().-]/g;
/** 7 to 15 digits (E.164's most), a leading `+` before a non-zero country code. */
const PHONE = /^(\+[1-9]\d{6,14}|\d{7,15})$/;

/** An upper-case ISO 3166-1 alpha-2 shape (`DE`): what zones, rates and addresses store. */
export const isCountryCode = (value: string): boolean => /^[A-Z]{2}$/.test(value);

const TEXT_FIELDS = [
  "name",
  "line1",
  "line2",
  "city",
  "region",
  "postalCode",
  "country",
  "phone",
] as const;

const REQUIRED = ["name", "line1", "city", "country"] as const;

/** Trimmed, NFC, with runs of spaces made one; empty becomes undefined. */
function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.normalize("NFC").trim().replace(/ {2,}/g, " ");
  return cleaned === "" ? undefined : cleaned;
}

/** Upper case, composed again: upper-casing may decompose (`ῗ` becomes three code points). */
const upper = (value: string): string => value.toUpperCase().normalize("NFC");

function canonicalPostalCode(country: string, postalCode: string): string {
  const rule = POSTAL_CODE_RULES[country];
  if (rule === undefined) return postalCode;
  const upperCased = upper(postalCode);
  return rule.canonical === undefined
    ? upperCased
    : rule.canonical(upperCased.replace(/[\s-]/g, ""));
}

function canonicalRegion(country: string, region: string): string {
  return REGION_CODES[country] === undefined ? region : upper(region);
}

/**
 * The canonical form of `input`, the one an order stores: every field trimmed, NFC and with single
 * spaces; the country and a listed country's region upper-cased; a ruled country's postal code in
 * its post office's form; the phone without separators; empty optional fields left out. It checks
 * nothing (see `checkAddress`), and applied twice it gives the same address.
 */
export function normalizeAddress(input: AddressInput): Address {
  const country = upper(clean(input.country) ?? "");
  const line2 = clean(input.line2);
  const region = clean(input.region);
  const postalCode = clean(input.postalCode);
  const phone = clean(input.phone)?.replace(PHONE_SEPARATORS, "");
  return {
    name: clean(input.name) ?? "",
    line1: clean(input.line1) ?? "",
    ...(line2 === undefined ? {} : { line2 }),
    city: clean(input.city) ?? "",
    ...(region === undefined ? {} : { region: canonicalRegion(country, region) }),
    ...(postalCode === undefined ? {} : { postalCode: canonicalPostalCode(country, postalCode) }),
    country,
    ...(phone === undefined || phone === "" ? {} : { phone }),
  };
}

/**
 * Every reason `input` is not a valid address, each naming its field under `prefix`
 * (`shippingAddress.postalCode`), or by itself (`postalCode`) when `prefix` is empty (the
 * address is the whole body); empty when it is valid. The checks run on the normalised form
 * (`normalizeAddress`), so ` sw1a1aa ` is a valid GB postal code; control characters are looked
 * for in what was sent.
 */
export function checkAddress(input: AddressInput, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: keyof Address, message: string): void => {
    const named = prefix === "" ? field : `${prefix}.${field}`;
    if (!errors.some((error) => error.field === named)) errors.push({ field: named, message });
  };
  for (const field of TEXT_FIELDS) {
    const raw = input[field];
    if (raw !== undefined && hasForbiddenCharacter(raw)) {
      fail(field, "must not contain control, separator or bidirectional characters");
    }
  }
  const address = normalizeAddress(input);
  for (const field of REQUIRED) {
    if (address[field] === "") fail(field, "required");
  }
  for (const field of TEXT_FIELDS) {
    const value = field === "phone" ? clean(input.phone) : address[field];
    const limit = field === "country" ? undefined : ADDRESS_LIMITS[field];
    if (value !== undefined && limit !== undefined && characterCount(value) > limit) {
      fail(field, `at most ${limit} characters`);
    }
  }
  const { country } = address;
  if (country !== "" && !isCountryCode(country)) {
    fail("country", "an ISO 3166-1 alpha-2 code, such as DE or US");
  }
  if (isCountryCode(country)) {
    checkRegion(country, address.region, fail);
    checkPostalCode(country, address.postalCode, fail);
  }
  if (address.phone !== undefined && !PHONE.test(address.phone)) {
    fail("phone", "7 to 15 digits, optionally after + and a country code");
  }
  return errors;
}

type Fail = (field: keyof Address, message: string) => void;

function checkRegion(country: string, region: string | undefined, fail: Fail): void {
  const codes = REGION_CODES[country];
  if (codes === undefined) return;
  if (region === undefined) fail("region", `required for ${country}`);
  else if (!codes.includes(region)) fail("region", `not a region code of ${country}`);
}

function checkPostalCode(country: string, postalCode: string | undefined, fail: Fail): void {
  const rule = POSTAL_CODE_RULES[country];
  if (rule === undefined) {
    if (postalCode !== undefined && !LOOSE_POSTAL_CODE.test(postalCode)) {
      fail("postalCode", "letters, digits, spaces and hyphens only");
    }
  } else if (postalCode === undefined) {
    fail("postalCode", `required for ${country}`);
  } else if (!rule.pattern.test(postalCode)) {
    fail("postalCode", `not a postal code of ${country} (such as ${rule.example})`);
  }
}

/** Whether two canonical addresses are the same address, field by field. */
export function sameAddress(a: Address, b: Address): boolean {
  return TEXT_FIELDS.every((field) => a[field] === b[field]);
}

/**
 * The canonical form of `input` when it is a valid address; else VALIDATION_FAILED naming every
 * invalid field under `prefix`.
 */
export function requireAddress(input: AddressInput, prefix: string): Address {
  const fields = checkAddress(input, prefix);
  if (fields.length > 0) throw invalidAddress(prefix, fields);
  return normalizeAddress(input);
}
