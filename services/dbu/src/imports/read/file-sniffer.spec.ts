import { detectDelimiter, detectEncoding, detectFormat } from './file-sniffer';

describe('file sniffer', () => {
  it('tells CSV from XLSX by content and refuses other files with a reason', () => {
    expect(detectFormat(Buffer.from('Artikelnummer;EAN\n'))).toEqual({ format: 'csv' });
    expect(detectFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toEqual({ format: 'xlsx' });
    expect(detectFormat(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).toMatchObject({ unsupported: /legacy Excel/ });
    expect(detectFormat(Buffer.from('%PDF-1.7'))).toMatchObject({ unsupported: /PDF/ });
    expect(detectFormat(Buffer.from([0x89, 0x50, 0x00, 0x47]))).toMatchObject({ unsupported: /binary/ });
    expect(detectFormat(Buffer.alloc(0))).toEqual({ unsupported: 'the file is empty' });
  });

  it('lets a byte-order mark decide the encoding', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'latin1')).toEqual({ encoding: 'utf-8', bomBytes: 3 });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0x00]))).toEqual({ encoding: 'utf-16le', bomBytes: 2 });
  });

  it('detects UTF-8 and falls back to Windows-1252, or follows the profile', () => {
    expect(detectEncoding(Buffer.from('Größe', 'utf8'))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
    expect(detectEncoding(Buffer.from('Größe', 'latin1'))).toEqual({ encoding: 'windows-1252', bomBytes: 0 });
    expect(detectEncoding(Buffer.from('abc'), 'latin1')).toEqual({ encoding: 'latin1', bomBytes: 0 });
    // A multi-byte character cut by the end of the sample is still UTF-8.
    expect(detectEncoding(Buffer.from('abcö', 'utf8').subarray(0, 4))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
  });

  it('finds the delimiter of the header line outside quotes', () => {
    expect(detectDelimiter('Artikelnummer;EAN;"a,b,c"\n1,2,3,4,5')).toBe(';');
    expect(detectDelimiter('sku,title,price\r\n')).toBe(',');
    expect(detectDelimiter('sku\ttitle\n')).toBe('\t');
    expect(detectDelimiter('a,b', 'tab')).toBe('\t');
    expect(detectDelimiter('a,b', ';')).toBe(';');
  });
});
