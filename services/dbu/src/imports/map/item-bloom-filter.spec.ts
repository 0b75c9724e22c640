import { ItemBloomFilter } from './item-bloom-filter';

describe(ItemBloomFilter.name, () => {
  it('reports every repeated item number and few false alarms', () => {
    const filter = new ItemBloomFilter(20);
    for (let i = 0; i < 50_000; i += 1) filter.add(`PJS-${String(i).padStart(7, '0')}`);
    filter.add('PJS-0000042');
    filter.add('PJS-0049999');
    expect(filter.suspects.has('PJS-0000042')).toBe(true);
    expect(filter.suspects.has('PJS-0049999')).toBe(true);
    expect(filter.suspects.size).toBeLessThan(50);
  });
});
