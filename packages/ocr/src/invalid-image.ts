/**
 * The errors an undecodable or oversized image raises. A client's bad input, so a 4xx with a
 * stable code, never a crashed step: the pipeline framework keeps an `InferqError`'s code.
 */
import { InferqError } from '@inferq/contract';

/** INVALID_IMAGE (400): `what` names the field (e.g. `image[2]`), `reason` says what is wrong. */
export function invalidImage(what: string, reason: string, cause?: unknown): InferqError {
  return new InferqError('INVALID_IMAGE', `${what}: ${reason}`, cause === undefined ? undefined : { cause });
}

/** IMAGE_TOO_LARGE (413): the image has more pixels than allowed. */
export function imageTooLarge(what: string, width: number, height: number, maxPixels: number): InferqError {
  return new InferqError('IMAGE_TOO_LARGE', `${what}: ${width}×${height} pixels is more than the ${maxPixels} allowed`);
}
