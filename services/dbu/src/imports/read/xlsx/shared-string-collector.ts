import { MAX_CELL_CHARS } from './sheet-row-collector';
import type { XmlHandler } from './xml-scanner';

/**
 * Reads the shared-string table (`xl/sharedStrings.xml`): each `<si>` becomes one string, its
 * `<t>` or the `<t>` of its rich-text runs (`<r>`) joined. Phonetic runs (`<rPh>`) are left out:
 * they are reading aids for East Asian text, not part of it.
 */
export class SharedStringCollector implements XmlHandler {
  wantsText = false;
  private inItem = false;
  private phoneticDepth = 0;
  private value = '';

  constructor(private readonly onString: (text: string) => void) {}

  open(name: string): void {
    switch (name) {
      case 'si':
        this.inItem = true;
        this.value = '';
        break;
      case 'rPh':
        if (this.inItem) this.phoneticDepth += 1;
        break;
      case 't':
        if (this.inItem && this.phoneticDepth === 0) this.wantsText = true;
        break;
      default:
        break;
    }
  }

  text(text: string): void {
    this.value += text;
    if (this.value.length > MAX_CELL_CHARS) throw new Error(`a shared string has over ${MAX_CELL_CHARS} characters`);
  }

  close(name: string): void {
    switch (name) {
      case 't':
        this.wantsText = false;
        break;
      case 'rPh':
        if (this.phoneticDepth > 0) this.phoneticDepth -= 1;
        break;
      case 'si':
        if (!this.inItem) break;
        this.onString(this.value);
        this.inItem = false;
        this.value = '';
        break;
      default:
        break;
    }
  }
}
