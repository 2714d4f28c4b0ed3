/**
 * The one registry of error codes. Every error a client can see carries one of these codes;
 * codes are stable (clients branch on them) and each has exactly one HTTP status.
 * The wire form is `{ "error": { "code": "...", "message": "..." } }`.
 */

interface ErrorCodeSpec {
  /** HTTP status answered for this code. */
  readonly status: number;
  /** What the code means, for the docs. */
  readonly description: string;
  /** Seconds a client should wait before trying again (sent as `Retry-After`); absent = no header. */
  readonly retryAfterSeconds?: number;
}

export const ERROR_CODES = Object.freeze({
  INVALID_JSON: { status: 400, description: 'The body is not valid JSON.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not one the route takes: application/json, application/octet-stream (binary tensors), or image/png, image/jpeg, image/webp for a pipeline with one image input.' },
  BODY_TOO_LARGE: { status: 413, description: 'The body is larger than the configured limit.' },
  INVALID_REQUEST: { status: 400, description: 'The request does not follow the schema (a field is missing or of the wrong type).' },
  MODEL_NOT_FOUND: { status: 404, description: 'No model of that name is in the repository.' },
  VERSION_NOT_FOUND: { status: 404, description: 'The model has no such version.' },
  VERSION_NOT_LOADED: { status: 409, description: 'The version exists but takes no predictions now: it was unloaded (POST .../load brings it back), or it was registered and is not READY yet (LOADING) or failed to load (FAILED); the message names its state. GET /v1/models/{model} shows every version\'s state.' },
  VERSION_EXISTS: { status: 409, description: 'POST /v1/models/{model}/versions?version=N names a version the model already has (versions are immutable: register a new number).' },
  INVALID_MODEL: { status: 400, description: 'A model file to register is not a readable ONNX model (no graph, unsupported input types), or its config does not fit it; the message says why.' },
  MODEL_TOO_LARGE: { status: 413, description: 'A model file to register holds more bytes than MAX_MODEL_BYTES.' },
  INVALID_MODEL_URI: { status: 400, description: 'The `uri` of a model registration is not a file://, s3:// or https:// URI, names nothing (no such file or key), or an https:// URI comes without `sha256`.' },
  MODEL_URI_FORBIDDEN: { status: 403, description: 'A file:// URI outside the directories of MODEL_URI_FILE_ROOTS, or an s3:// URI while no S3 access is configured.' },
  DIGEST_MISMATCH: { status: 400, description: 'The model bytes do not hash to the `sha256` given with the registration; nothing was registered.' },
  MODEL_SOURCE_UNAVAILABLE: { status: 502, description: 'The server holding the model file (S3, https) or the model store failed or could not be reached; nothing was registered. Retry later.' },
  MISSING_INPUT: { status: 400, description: 'A model input is absent from the request.' },
  UNKNOWN_INPUT: { status: 400, description: 'The request names an input the model does not have.' },
  DUPLICATE_INPUT: { status: 400, description: 'The request names the same input twice.' },
  UNKNOWN_OUTPUT: { status: 400, description: 'The request asks for an output the model does not have.' },
  DATATYPE_MISMATCH: { status: 400, description: "An input's datatype differs from the model's." },
  SHAPE_MISMATCH: { status: 400, description: "An input's rank or a fixed dimension differs from the model's, or inputs disagree on the batch size." },
  ELEMENT_COUNT_MISMATCH: { status: 400, description: "The number of values differs from the product of the input's shape." },
  INVALID_TENSOR_DATA: { status: 400, description: 'A value is not of the kind the datatype requires (e.g. a string or 1.5 in an INT32 tensor), is out of range, or the nesting is too deep.' },
  BATCH_TOO_LARGE: { status: 400, description: "The request's batch dimension exceeds the model's max batch size." },
  TENSOR_TOO_LARGE: { status: 400, description: 'The request holds more tensor elements than the configured limit.' },
  INVALID_PREDICTION_ID: { status: 400, description: 'The prediction id is not of the form the service issues.' },
  PREDICTION_NOT_FOUND: { status: 404, description: 'No prediction with that id exists (never did, or its result expired).' },
  ROUTE_NOT_FOUND: { status: 404, description: 'No route matches the method and path.' },
  UNAUTHORIZED: { status: 401, description: 'No API key was given, or the key is unknown or revoked (send `Authorization: Bearer <key>`).' },
  FORBIDDEN: { status: 403, description: "The API key is valid but lacks the scope the route needs (`predict`, `read` or `admin`)." },
  API_KEY_NOT_FOUND: { status: 404, description: 'No API key with that id is stored (keys from API_KEYS or ADMIN_API_KEY cannot be revoked through the API).' },
  RATE_LIMITED: { status: 429, description: 'The API key (or, with access control off, the client address) sent more predictions than RATE_LIMIT_PER_SECOND allows; retry after the time in Retry-After.' },
  INVALID_MESSAGE: { status: 400, description: 'A WebSocket message is not valid JSON or not a known message shape.' },
  TOO_MANY_IDS: { status: 400, description: 'A WebSocket `subscribe` names more ids than one message may (1000), or the socket would wait on more than 10 000 at once.' },
  HOST_NOT_ALLOWED: { status: 403, description: 'With access control off, the `Host` header is neither a loopback name, an IP address nor in ALLOWED_HOSTS (protects against DNS rebinding).' },
  ORIGIN_NOT_ALLOWED: { status: 403, description: 'With access control off, the `Origin` header (a browser page of another site) is neither the API\'s own origin nor in ALLOWED_ORIGINS or CORS_ORIGINS.' },
  LOOPBACK_REQUIRED: { status: 403, description: 'With access control off, the first API key can be created only from a loopback address; elsewhere set ADMIN_API_KEY and use it.' },
  INFERENCE_TIMEOUT: { status: 504, description: 'The synchronous call waited longer than its timeout; the prediction is still queued or running and can be polled by id.' },
  QUEUE_UNAVAILABLE: { status: 503, retryAfterSeconds: 1, description: 'Redis cannot be reached; retry after the time in Retry-After.' },
  API_SHUTTING_DOWN: { status: 503, retryAfterSeconds: 1, description: 'This API instance is stopping (graceful shutdown) and takes no new requests; nothing was accepted. Retry after the time in Retry-After, here or at another instance.' },
  QUEUE_OUT_OF_MEMORY: { status: 503, retryAfterSeconds: 5, description: "Redis refuses writes: it reached its memory limit (maxmemory, noeviction policy). Nothing was accepted; predictions accepted before still finish. Retry after the time in Retry-After." },
  REPLICATION_TIMEOUT: { status: 503, retryAfterSeconds: 1, description: 'REDIS_WAIT_REPLICAS is set and fewer Redis replicas confirmed the write within REDIS_WAIT_TIMEOUT_MS; the prediction was queued on the primary and may still run, but is not acknowledged (a retry may run it twice). Retry after the time in Retry-After.' },
  QUEUE_FULL: { status: 429, retryAfterSeconds: 1, description: "The model's queue holds its maximum number of waiting predictions (maxQueueSize / MAX_QUEUE_SIZE); retry after the time in Retry-After." },
  DEADLINE_EXCEEDED: { status: 504, description: "The request's timeout (parameters.timeout_ms, Request-Timeout-Ms or DEFAULT_TIMEOUT_MS) passed before a worker took it; it was not run (reported in an `expired` prediction)." },
  PREDICTION_NOT_RETRYABLE: { status: 409, description: 'Only a prediction whose job is kept as a dead letter can be retried: a failed one, or one left unfinished because its failure could not be recorded.' },
  INVALID_FEEDBACK: { status: 400, description: 'The feedback label is not a class index or label name of the model, or the number of labels differs from the rows of the prediction.' },
  FEEDBACK_CONFLICT: { status: 409, description: 'Feedback for this prediction was already recorded, or the prediction has not completed (only completed predictions take feedback).' },
  INVALID_REFERENCE: { status: 400, description: 'The uploaded reference sample cannot be used for drift detection: not CSV with unique, non-empty column names naming every feature of the model input, a ragged row or unclosed quote, a feature cell that is not a decimal number, no data rows, or more columns or rows than the limits.' },
  INVALID_BATCH_INPUT: { status: 400, description: 'The batch input cannot be read as a whole (rejected before any row runs): not CSV with a header naming the model\'s features (or exactly n columns), a ragged row or unclosed quote, a JSON Lines line that is not JSON, no rows, or an unknown `format`. The message names the line.' },
  INVALID_BATCH_URI: { status: 400, description: 'The batch `uri` or `resultUri` is not a supported URI (`file://` under BATCH_FILE_ROOT, `s3://`, `https://` for inputs), or the input it names cannot be read.' },
  BATCH_NOT_FOUND: { status: 404, description: 'No batch with that id exists (never did, or it expired).' },
  BATCH_FINISHED: { status: 409, description: 'The batch has already ended (completed, failed or cancelled): it cannot be cancelled.' },
  INVALID_SCHEDULE: { status: 400, description: 'The schedule\'s `cron` expression cannot be parsed.' },
  SCHEDULE_NOT_FOUND: { status: 404, description: 'No schedule with that id exists.' },
  INVALID_ROLLOUT: { status: 400, description: 'The rollout body cannot run: steps not strictly increasing or not ending at 100, an approval value that is not a step, or the candidate is the version that already has the most traffic. (A candidate that exists but is not READY: VERSION_NOT_READY.)' },
  ROLLOUT_NOT_FOUND: { status: 404, description: 'The model has no rollout with that id (never had, or it was trimmed from the history).' },
  ROLLOUT_CONFLICT: { status: 409, description: 'The model already has an active rollout (running, paused or waiting for approval); finish or abort it first.' },
  ROLLOUT_STATE_CONFLICT: { status: 409, description: 'The rollout is not in a status that allows this action (approve needs waiting_approval, pause needs running or waiting_approval, resume needs paused, abort needs an active rollout), or it changed at the same moment; read it and retry.' },
  INVALID_TRAFFIC_POLICY: { status: 400, description: 'The traffic policy is refused (the message names the field): weights that are not integers summing to 100, a version the model does not have, a version listed twice, a malformed rule, a shadow percent outside [0, 100] or a shadow version that is the only route. Nothing was changed.' },
  VERSION_NOT_READY: { status: 409, description: 'The traffic policy names a version that exists but cannot serve now (not loaded / not READY). Nothing was changed.' },
  PRECONDITION_FAILED: { status: 412, description: 'The `If-Match` revision is not the current one: someone else changed the traffic policy meanwhile. Read it again (GET) and retry with its revision.' },
  NOTHING_TO_ROLL_BACK: { status: 409, description: 'The traffic policy has no earlier revision to restore.' },
  TRAFFIC_REVISION_NOT_FOUND: { status: 404, description: 'The traffic history holds no revision with that number (never written, or older than the kept history).' },
  MISSING_FEATURE: { status: 400, description: 'A named-features row of a pipeline input lacks a feature the pipeline declares (the message names the field and the row).' },
  UNKNOWN_FEATURE: { status: 400, description: 'A named-features row of a pipeline input has a field the pipeline does not declare (the message names it).' },
  INVALID_FEATURE: { status: 400, description: 'A named-features row is not a JSON object, or one of its fields is not a finite number (the message names the field).' },
  INVALID_IMAGE: { status: 400, description: 'An image input is not a PNG, JPEG or WebP the server can decode (or its base64 is broken).' },
  IMAGE_TOO_LARGE: { status: 413, description: 'An image input has more pixels or bytes than MAX_IMAGE_PIXELS / MAX_IMAGE_BYTES allow.' },
  STEP_FAILED: { status: 422, description: 'A pipeline step raised an error on this input; the message names the step (reported in a failed prediction).' },
  STEP_TIMEOUT: { status: 504, description: "A pipeline step ran longer than its time limit (the step's timeoutMs, default 10 s); the message names the step (reported in a failed prediction)." },
  INFERENCE_FAILED: { status: 422, description: 'The model raised an error on this input (reported in a failed prediction, not as an HTTP answer to the submit).' },
  WORKER_FAILED: { status: 500, description: 'The job failed for a reason outside the input after all its attempts (reported in a failed prediction).' },
  INTERNAL_ERROR: { status: 500, description: 'An unexpected error; the log holds the details.' },
} satisfies Record<string, ErrorCodeSpec>);
// Each entry too: a status is part of the wire contract, nothing may rewrite it at run time.
for (const spec of Object.values(ERROR_CODES)) Object.freeze(spec);

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error with a stable code; its HTTP status comes from the registry. */
export class InferqError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InferqError';
    this.code = code;
    this.statusCode = ERROR_CODES[code].status;
  }

  /** The wire form of this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True when `value` is an error code from the registry. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
