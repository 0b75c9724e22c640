import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedStringStore } from './shared-strings';

describe(SharedStringStore.name, () => {
  it('answers strings added after a read (the read-ahead block is dropped when the file grows)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strings-'));
    const store = SharedStringStore.open(dir);
    store.add('eins');
    expect(store.get(0)).toBe('eins');
    store.add('zwei');
    expect(store.get(1)).toBe('zwei');
    const long = 'ä'.repeat(600_000); // more than the write buffer holds
    store.add(long);
    store.add('drei');
    expect(store.get(2)).toBe(long);
    expect(store.get(3)).toBe('drei');
    expect(store.get(0)).toBe('eins');
    store.close();
    rmSync(dir, { recursive: true });
  });

  it('answers every string by index from its file, and removes the file when closed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strings-'));
    const store = SharedStringStore.open(dir);
    const texts = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? '' : `Größe ${i} – ${'x'.repeat(i % 300)}`));
    for (const text of texts) store.add(text);
    expect(store.size).toBe(texts.length);
    for (const i of [0, 1, 6, 7, 9_999, 19_999]) expect(store.get(i)).toBe(texts[i]);
    expect(store.get(19_999)).toBe(texts[19_999]); // cached
    expect(store.get(20_000)).toBe('');
    // In order, backwards and at random: every read-ahead block boundary answers right.
    for (let i = 0; i < texts.length; i += 1) expect(store.get(i)).toBe(texts[i]);
    for (let i = texts.length - 1; i >= 0; i -= 3) expect(store.get(i)).toBe(texts[i]);
    for (let n = 0; n < 2_000; n += 1) {
      const i = (n * 7_919) % texts.length;
      expect(store.get(i)).toBe(texts[i]);
    }
    store.close();
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
