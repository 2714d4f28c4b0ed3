/**
 * Pixel normalisation shared by the three models. PaddleOCR reads images with OpenCV, so the
 * models were trained on BGR channel order: channel 0 of every tensor here is blue.
 */

/** PP-OCR detection normalisation (ImageNet mean/std, applied in BGR order as PaddleOCR does). */
export const DET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const DET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Index of the RGB byte that feeds tensor channel `c` (BGR order). */
export const BGR_SOURCE: readonly [number, number, number] = [2, 1, 0];
