/**
 * Named value checks that schemas refer to with `x-check` (a GTIN's check digit, an exact decimal,
 * a calendar date): what a pattern alone cannot say. Registered once, at module load, by the
 * feature that owns the rule; the schema compiler looks them up when it compiles a route.
 */
export interface ValueCheck {
  /** True when the value is acceptable (it may be of any JSON type). */
  validate(value: unknown): boolean;
  /** What the caller is told, after the field name: "must be a valid EAN-13". */
  message: string;
}

const checks = new Map<string, ValueCheck>();

export function defineCheck(name: string, check: ValueCheck): string {
  const known = checks.get(name);
  if (known && known !== check) throw new Error(`value check "${name}" is defined twice`);
  checks.set(name, check);
  return name;
}

export function findCheck(name: string): ValueCheck {
  const check = checks.get(name);
  if (!check) throw new Error(`unknown value check "${name}" (defineCheck it before the route is compiled)`);
  return check;
}

/** Text a database column can hold: no NUL character, no unpaired UTF-16 surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes('\0') && (value as string & { isWellFormed(): boolean }).isWellFormed();
}
