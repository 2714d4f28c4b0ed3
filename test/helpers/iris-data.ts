/** Real Iris flowers for test traffic (the sampler `npm run demo:drift` uses). */
export { IRIS_FLOWERS, irisSampler, PETAL_LENGTH_SHIFT, type IrisFlower } from '../../apps/tools/src/iris-sampler.js';
