import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedStringStore } from './shared-strings';

describe(SharedStringStore.name, () => {
  it('answers every string by index from its file, and removes the file when closed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strings-'));
    const store = SharedStringStore.open(dir);
    const texts = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? '' : `Größe ${i} – ${'x'.repeat(i % 300)}`));
    for (const text of texts) store.add(text);
    expect(store.size).toBe(texts.length);
    for (const i of [0, 1, 6, 7, 9_999, 19_999]) expect(store.get(i)).toBe(texts[i]);
    expect(store.get(19_999)).toBe(texts[19_999]); // cached
    expect(store.get(20_000)).toBe('');
    store.close();
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
