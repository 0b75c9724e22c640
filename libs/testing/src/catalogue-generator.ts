import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Realistic wholesaler catalogues for tests and benchmarks: a German-style CSV export (`;`
 * delimiter, decimal commas, dd.mm.yyyy dates, quoted descriptions, valid EAN-13 check digits),
 * UTF-8 or Latin-1. The same seed gives the same rows, and a longer file with the same seed starts
 * with the rows of a shorter one.
 */
export const CATALOGUE_HEADER =
  'Artikelnummer;EAN;Bezeichnung;Hersteller;Lizenz;Kategorie;EK-Preis;UVP;Erscheinungsdatum;Gewicht (kg);Bild-URL;Beschreibung';

const LICENSES = [
  'Star Wars',
  'Marvel',
  'DC Comics',
  'Harry Potter',
  'Pokémon',
  'Herr der Ringe',
  'Disney',
  'Naruto',
  'One Piece',
  'Dragon Ball',
  'Stranger Things',
  'Game of Thrones',
];
const MAKERS = [
  'Funko',
  'Hasbro',
  'Hot Toys',
  'Iron Studios',
  'Bandai',
  'Good Smile',
  'McFarlane',
  'Mattel',
  'Sideshow',
  'Kotobukiya',
];
const CATEGORIES = [
  'Figuren > Vinyl',
  'Figuren > Actionfiguren',
  'Statuen',
  'Replikas',
  'Plüsch',
  'Sammelkarten',
  'Modellbau',
  'Bekleidung > T-Shirts',
  'Tassen & Gläser',
  'Poster',
];
const WORDS = [
  'Edition',
  'Deluxe',
  'Exclusive',
  'Chase',
  'Glow',
  'Metallic',
  'Collector',
  'Mini',
  'Jumbo',
  'Retro',
  'Figur',
  'Büste',
  'Schlüsselanhänger',
];

export interface CatalogueOptions {
  encoding?: 'utf8' | 'latin1';
  seed?: number;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const decimal = (value: number, digits: number) => value.toFixed(digits).replace('.', ',');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The rows of a catalogue, one CSV line each (without line ends), lazily. */
export function* catalogueLines(rows: number, seed = 7): Generator<string> {
  const rnd = random(seed);
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  for (let i = 0; i < rows; i++) {
    const license = pick(LICENSES);
    const maker = pick(MAKERS);
    const title = `${maker} ${license} ${pick(WORDS)} ${pick(WORDS)} #${i % 9999}`;
    const ek = int(199, 49999) / 100;
    const uvp = Math.round(ek * (1.3 + rnd() * 0.9) * 100) / 100;
    const [year, month, day] = [pick([2024, 2025, 2026, 2027]), int(1, 12), int(1, 28)];
    let body = '40';
    for (let k = 0; k < 10; k++) body += String(int(0, 9));
    let sum = 0;
    for (let k = 0; k < 12; k++) sum += Number(body[k]) * (k % 2 ? 3 : 1);
    const ean = body + String((10 - (sum % 10)) % 10);
    const description = `Offizielles Lizenzprodukt "${license}"; Größe ca. ${int(5, 60)} cm; für Sammler ab 14 Jahren.`;
    yield [
      `PJS-${pad(i, 7)}`,
      ean,
      title,
      maker,
      license,
      pick(CATEGORIES),
      decimal(ek, 2),
      decimal(uvp, 2),
      `${pad(day, 2)}.${pad(month, 2)}.${year}`,
      decimal(int(50, 5000) / 1000, 3),
      `https://img.example.test/p/${i}.jpg`,
      `"${description.replace(/"/g, '""')}"`,
    ].join(';');
  }
}

/** Writes a catalogue of `rows` products to `path`, streaming (a million rows take ~150 MB of disk, little memory). */
export async function writeCatalogue(path: string, rows: number, options: CatalogueOptions = {}): Promise<void> {
  const out = createWriteStream(path, { encoding: options.encoding === 'latin1' ? 'latin1' : 'utf8' });
  let chunk = `${CATALOGUE_HEADER}\n`;
  for (const line of catalogueLines(rows, options.seed ?? 7)) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
