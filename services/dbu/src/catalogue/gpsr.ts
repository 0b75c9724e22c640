/**
 * GPSR (EU General Product Safety Regulation 2023/988) completeness. A product is complete when
 * its manufacturer has a name, a postal address, an e-mail or contact URL, and, when it is based
 * outside the EU, an EU responsible person with name, postal address and e-mail. The database
 * computes this in `manufacturers.gpsr_complete` / `gpsr_missing` (generated columns, see the
 * catalogue-schema migration); these are the same rules for code that needs them in memory.
 */
export const EU_COUNTRIES: readonly string[] =
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' ');

export function isEuCountry(country: string | null | undefined): boolean {
  return !!country && EU_COUNTRIES.includes(country.trim().toUpperCase());
}

/** What `gpsr.missing` lists for a product. */
export type GpsrGap =
  'manufacturer' | 'manufacturer_name' | 'manufacturer_address' | 'manufacturer_contact' | 'eu_responsible_person';
