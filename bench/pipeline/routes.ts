/** What both servers of bench/pipeline answer: a ~1 KB product-like JSON and a small write echo. */
export const PRODUCT_JSON = JSON.stringify({
  item_no: 'PJS-0000001',
  ean: '4006381333931',
  title: 'Funko Star Wars Deluxe Exclusive #1',
  manufacturer: { id: 1, name: 'Funko', address: { street: null, postal_code: null, city: null, country: 'US' } },
  license: { id: 2, name: 'Star Wars' },
  category: { id: 3, name: 'Vinyl', path: 'Figuren > Vinyl', parent_id: 1 },
  purchase_price: '12.50',
  rrp: '19.99',
  release_date: '2026-03-01',
  weight_kg: '0.250',
  image_url: 'https://img.example.test/p/1.jpg',
  description: 'Offizielles Lizenzprodukt "Star Wars"; Größe ca. 10 cm; für Sammler ab 14 Jahren.'.repeat(6),
  discount: null,
  gpsr: { complete: false, missing: ['manufacturer_address'] },
  photos: [],
  is_deleted: false,
  updated_at: '2026-12-01T10:00:00.000Z',
});

export interface StockChange {
  item_no: string;
  amount: number;
  order_id?: string;
}

export const answerOf = (change: StockChange) => ({ item_no: change.item_no, quantity: 41, movement: 'reduce' });
