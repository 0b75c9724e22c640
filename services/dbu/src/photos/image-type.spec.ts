import { detectImageType } from './image-type';

describe('detectImageType', () => {
  it('recognises JPEG, PNG, GIF, WebP and AVIF by their magic bytes', () => {
    expect(detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))?.extension).toBe('jpg');
    expect(detectImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))?.extension).toBe('png');
    expect(detectImageType(Buffer.from('GIF89a...'))?.contentType).toBe('image/gif');
    expect(detectImageType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))?.extension).toBe('webp');
    expect(detectImageType(Buffer.from('\x00\x00\x00\x1cftypavif', 'latin1'))?.extension).toBe('avif');
  });

  it('refuses anything else', () => {
    expect(detectImageType(Buffer.from('<!DOCTYPE html><html>'))).toBeUndefined();
  });
});
