/** Which service's admin this page is: libs/admin-host writes it into `<html data-service>`. */
export type Service = 'dbu' | 'im';

export function currentService(): Service {
  return document.documentElement.dataset.service === 'im' ? 'im' : 'dbu';
}
