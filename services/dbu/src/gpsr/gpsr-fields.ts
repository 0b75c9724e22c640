import { nameKey } from '../catalogue/name-key';
import { headerKey } from '../import-profiles/column-mapping';
import { parseItemNo, parseLine, parseText, type FieldResult } from '../imports/map/field-parsers';

/** Columns a GPSR spreadsheet may have, in whatever wording the supplier chose. */
export const GPSR_FIELDS = [
  'manufacturer',
  'street',
  'postal_code',
  'city',
  'country',
  'address',
  'email',
  'contact_url',
  'eu_responsible_name',
  'eu_responsible_address',
  'eu_responsible_email',
  'item_no',
  'safety_warnings',
] as const;
export type GpsrField = (typeof GPSR_FIELDS)[number];
export const REQUIRED_GPSR_FIELDS: readonly GpsrField[] = ['manufacturer'];

export const GPSR_HEADER_VARIANTS: Record<GpsrField, readonly string[]> = {
  manufacturer: [
    'Hersteller',
    'Herstellername',
    'Name des Herstellers',
    'Inverkehrbringer',
    'Marke',
    'Firma',
    'Manufacturer',
    'Manufacturer Name',
    'Brand',
    'Company',
  ],
  street: ['Straße', 'Strasse', 'Straße und Hausnummer', 'Street', 'Street Address', 'Address Line 1', 'Adresszeile 1'],
  postal_code: ['PLZ', 'Postleitzahl', 'ZIP', 'ZIP Code', 'Postal Code', 'Postcode'],
  city: ['Ort', 'Stadt', 'City', 'Town'],
  country: ['Land', 'Staat', 'Ländercode', 'Country', 'Country Code'],
  address: ['Anschrift', 'Adresse', 'Postanschrift', 'Herstelleradresse', 'Address', 'Manufacturer Address'],
  email: ['E-Mail', 'Email', 'Mail', 'E-Mail-Adresse', 'Kontakt E-Mail', 'Contact Email', 'Email Address'],
  contact_url: [
    'Website',
    'Webseite',
    'Homepage',
    'URL',
    'Web',
    'Kontakt',
    'Kontaktformular',
    'Contact',
    'Contact URL',
  ],
  eu_responsible_name: [
    'EU-Verantwortlicher',
    'EU Verantwortliche Person',
    'Verantwortliche Person',
    'EU-Bevollmächtigter',
    'EU Responsible Person',
    'EU Representative',
    'Responsible Person',
  ],
  eu_responsible_address: [
    'EU-Verantwortlicher Adresse',
    'Adresse EU-Verantwortlicher',
    'Anschrift Verantwortliche Person',
    'EU Responsible Person Address',
    'EU Responsible Address',
    'EU Representative Address',
    'Responsible Person Address',
  ],
  eu_responsible_email: [
    'EU-Verantwortlicher E-Mail',
    'E-Mail EU-Verantwortlicher',
    'E-Mail Verantwortliche Person',
    'EU Responsible Person Email',
    'EU Responsible Email',
    'EU Representative Email',
    'Responsible Person Email',
  ],
  item_no: ['Artikelnummer', 'Artikel-Nr.', 'Art.-Nr.', 'Item No', 'Item Number', 'SKU', 'Product No'],
  safety_warnings: ['Sicherheitshinweise', 'Warnhinweise', 'Safety Warnings', 'Safety Information', 'Warnings'],
};

/** The GPSR columns of `manufacturers`. */
export const MANUFACTURER_GPSR_COLUMNS = [
  'street',
  'postal_code',
  'city',
  'country',
  'email',
  'contact_url',
  'eu_responsible_name',
  'eu_responsible_address',
  'eu_responsible_email',
] as const;
export type ManufacturerGpsrColumn = (typeof MANUFACTURER_GPSR_COLUMNS)[number];

const LEGAL_FORMS = new Set(
  'gmbh mbh ag kg kgaa ohg gbr ug ev co inc incorporated corp corporation ltd limited llc llp plc sa sas sarl srl spa bv nv ab as oy kk'.split(
    ' ',
  ),
);

/**
 * The key under which spellings of one manufacturer meet: "FUNKO Inc.", "Funko, Inc" and
 * "funko" are one. The name key with punctuation and trailing legal forms removed.
 */
export function manufacturerMatchKey(name: string): string {
  const words = nameKey(name)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  while (words.length > 1 && LEGAL_FORMS.has(words[words.length - 1])) words.pop();
  // "co kg", "gmbh co kg": strip again after "and" joined forms.
  while (words.length > 1 && (words[words.length - 1] === 'and' || LEGAL_FORMS.has(words[words.length - 1]))) {
    words.pop();
  }
  return words.join(' ');
}

let countryNames: Map<string, string> | undefined;

/** Country names in German and English (and common aliases) → ISO 3166 alpha-2. */
function countries(): Map<string, string> {
  if (countryNames) return countryNames;
  const map = new Map<string, string>();
  const de = new Intl.DisplayNames(['de'], { type: 'region' });
  const en = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a += 1) {
    for (let b = 65; b <= 90; b += 1) {
      const code = String.fromCharCode(a, b);
      for (const names of [de, en]) {
        const name = names.of(code);
        if (name && name !== code) map.set(headerKey(name), code);
      }
      map.set(code.toLowerCase(), code);
    }
  }
  const aliases: Record<string, string> = {
    USA: 'US',
    'United States of America': 'US',
    'Vereinigte Staaten von Amerika': 'US',
    UK: 'GB',
    England: 'GB',
    'Great Britain': 'GB',
    Großbritannien: 'GB',
    Holland: 'NL',
    'Volksrepublik China': 'CN',
    'PR China': 'CN',
    'P.R. China': 'CN',
    Hongkong: 'HK',
    Korea: 'KR',
    Südkorea: 'KR',
    'Czech Republic': 'CZ',
    'Tschechische Republik': 'CZ',
  };
  for (const [alias, code] of Object.entries(aliases)) map.set(headerKey(alias), code);
  countryNames = map;
  return map;
}

/** `Deutschland`, `Germany`, `de`, `DEU`-less: → `DE`. */
export function parseCountry(raw: string): FieldResult {
  const text = raw.trim();
  if (!text) return { ok: true, value: null };
  const code = countries().get(headerKey(text));
  return code ? { ok: true, value: code } : { ok: false, reason: 'is not a country name or ISO code' };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function parseEmail(raw: string): FieldResult {
  const text = raw.trim();
  if (!text) return { ok: true, value: null };
  const value = text.replace(/^mailto:/i, '');
  if (value.length > 254 || !EMAIL.test(value)) return { ok: false, reason: 'is not an e-mail address' };
  return { ok: true, value };
}

/** A contact URL; `www.example.com` gets `https://`. */
export function parseContactUrl(raw: string): FieldResult {
  const text = raw.trim();
  if (!text) return { ok: true, value: null };
  const candidate = /^https?:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(candidate);
    if (!url.hostname.includes('.')) return { ok: false, reason: 'is not a web address' };
  } catch {
    return { ok: false, reason: 'is not a web address' };
  }
  if (candidate.length > 500) return { ok: false, reason: 'is longer than 500 characters' };
  return { ok: true, value: candidate };
}

export interface PostalAddress {
  street: string | null;
  postal_code: string | null;
  city: string | null;
  country: string | null;
}

/**
 * Splits a one-field address ("Musterstr. 1, 12345 Berlin, Deutschland" or with line breaks)
 * into street, postal code, city and country; parts it cannot place are left null.
 */
export function splitAddress(raw: string): PostalAddress {
  const parts = raw
    .split(/[,;\n\r]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const result: PostalAddress = { street: null, postal_code: null, city: null, country: null };
  const last = parts.at(-1);
  if (last && parts.length > 1) {
    const country = parseCountry(last);
    if (country.ok && country.value) {
      result.country = country.value;
      parts.pop();
    }
  }
  // US style: "Everett, WA 98201" — the city is the part before the state and ZIP code.
  const usIndex = parts.findIndex((p) => /^[A-Z]{2}\s+\d{5}(?:-\d{4})?$/.test(p));
  if (usIndex > 0) {
    result.postal_code = parts[usIndex].split(/\s+/)[1]!;
    result.city = parts[usIndex - 1]!;
    if (usIndex > 1) result.street = parts.slice(0, usIndex - 1).join(', ');
    return result;
  }
  const cityIndex = parts.findIndex(
    (p) => /^(?:[A-Z]{1,2}-)?\d{4,5}\s+\S/.test(p) || /^[A-Z]{1,2}\d[\dA-Z]? \d[A-Z]{2}\b/.test(p),
  );
  if (cityIndex >= 0) {
    const match = /^((?:[A-Z]{1,2}-)?\d{4,5}|[A-Z]{1,2}\d[\dA-Z]? \d[A-Z]{2})\s+(.+)$/.exec(parts[cityIndex]);
    if (match) {
      result.postal_code = match[1].replace(/^[A-Z]{1,2}-/, '');
      result.city = match[2]!;
    }
    if (cityIndex > 0) result.street = parts.slice(0, cityIndex).join(', ');
  } else if (parts.length) {
    result.street = parts.join(', ');
  }
  return result;
}

export { parseItemNo, parseLine, parseText };
