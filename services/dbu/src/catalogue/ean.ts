/** GTIN lengths we accept: EAN-8, UPC-A (12), EAN-13 and GTIN-14. */
const GTIN = /^(\d{8}|\d{12,14})$/;

/** True when `code` is an EAN-8 / UPC-A / EAN-13 / GTIN-14 with a correct check digit. */
export function isValidEan(code: string): boolean {
  if (!GTIN.test(code)) return false;
  let sum = 0;
  // Weights alternate 3, 1, 3, … starting from the digit left of the check digit.
  for (let i = code.length - 2, weight = 3; i >= 0; i -= 1, weight = 4 - weight) {
    sum += (code.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10 === code.charCodeAt(code.length - 1) - 48;
}

/** The code with surrounding blanks removed, or `undefined` when it is not a valid GTIN. */
export function normalizeEan(value: string): string | undefined {
  const code = value.trim();
  return isValidEan(code) ? code : undefined;
}
