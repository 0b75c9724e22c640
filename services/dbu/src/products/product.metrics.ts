import { gauge } from '@pjs/metrics';

/** `dbu_products_total`: products not deleted, refreshed right before each scrape. */
export const productsTotal = () => gauge('dbu_products_total', 'Products in the catalogue (not deleted)');
