/**
 * @inferq/ocr: PP-OCR (detection → orientation → recognition) around the three ONNX models.
 * The steps between models as pure functions, as pipeline processors, and as one in-process
 * reference runner.
 */
export type { RgbImage } from './image.js';
export { decodeImage, type DecodeOptions } from './decode-image.js';
export { detPreprocess, fitGeometry, paddedSize, DEFAULT_DET_SIZE, DEFAULT_DET_MULTIPLE, type DetGeometry, type DetPreprocessOptions } from './det-preprocess.js';
export { dbPostprocess, resolveDbOptions, type DbOptions, type DetectedBox } from './db-postprocess.js';
export { convexHull, minAreaRect, orderQuad, rectCorners, type Point, type Quad, type RotatedRect } from './geometry.js';
export { connectedComponents, type Component } from './connected-components.js';
export { sortBoxes } from './box-order.js';
export { cropLine, lineWidth, rotateLine180, type LineImage } from './crop-line.js';
export { linesToTensor, recTensorWidth } from './line-tensor.js';
export { ctcGreedyDecode, type DecodedText } from './ctc-decode.js';
export { loadDictionary } from './dictionary.js';
export { resolveOcrOptions, LINE_HEIGHT, CLS_WIDTH, REC_MIN_WIDTH, type OcrOptions, type ResolvedOcrOptions } from './ocr-options.js';
export { extractLines, clsInput, applyOrientation, recInput, decodeResults, type LineInfo, type OcrResult } from './ocr-stages.js';
export { runOcrByHand, runOcrBatchByHand, loadOcrSessions, closeOcrSessions, type OcrSessions, type OcrModelPaths } from './run-ocr-by-hand.js';
export { ocrProcessors } from './processors/index.js';
