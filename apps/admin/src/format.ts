/** Amounts for people: thousands separators and the currency (the API sends exact decimal strings). */
const euro = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

export function money(amount: string | number | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  return euro.format(Number(amount));
}

const count = new Intl.NumberFormat('en-IE');
export function quantity(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : count.format(n);
}

/** A moment for people, in the browser's language and time zone. */
export const dateTime = (at: string): string => new Date(at).toLocaleString();
