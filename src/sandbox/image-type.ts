export type ImageType = 'png' | 'jpeg' | 'gif';

/** Bytes needed by `imageType`. */
export const IMAGE_SIGNATURE_BYTES = 8;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image format by magic bytes (never by file name): PNG, JPEG or GIF. */
export function imageType(head: Uint8Array): ImageType | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.subarray(0, 8).equals(PNG)) {
    return 'png';
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  const gif = bytes.subarray(0, 6).toString('latin1');
  return gif === 'GIF87a' || gif === 'GIF89a' ? 'gif' : undefined;
}
