/** Injection token of the process's winston logger (structured fields, correlation id). */
export const APP_LOGGER = Symbol('APP_LOGGER');
