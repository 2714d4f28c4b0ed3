/**
 * An 8-bit RGB image in memory, row-major, 3 bytes per pixel (HWC). Every OCR step works on this
 * form; sharp decodes into it and the crops are sampled from it.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 3` bytes, R G B per pixel. */
  readonly data: Uint8Array;
}
