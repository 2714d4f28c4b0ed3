/**
 * Every Redis key, channel and queue name the system uses, in one place.
 *
 * | key / channel                          | type    | written by      | content                                  |
 * |----------------------------------------|---------|-----------------|------------------------------------------|
 * | `{prefix}:prediction:{id}`             | hash    | API, worker     | status, model, version, createdAt, owner (id of the submitting API key, absent with access control off), job (its bundle's BullMQ job id, when coalesced), route, shadowOf; worker (JSON) once marked running; final (the final event's JSON: result or error, timings, worker) once ended; a cache hit's record holds result, timings as fields; TTL = retention (+ up to 60 s spare from creation, see PredictionStore) |
 * | `{prefix}:events:prediction-final`     | pub/sub | worker, API     | final events: the `PredictionFinalEvent` JSON texts of a worker batch, one per line (finish.lua), one JSON event per cache hit |
 * | `{prefix}:queued:{model}`              | string  | API, worker     | predictions of the model in status `queued` (the queue bound's count): +1 when a record is created or a retry reopens it, −1 in the same script that moves it out of `queued` |
 * | `{prefix}:write-probe`                 | string  | API             | written by the readiness check (`/v2/health/ready`): a Redis that refuses writes (out of memory) is not ready; TTL 10 s |
 * | `{prefix}:device-lease:{device}`       | zset    | worker          | member = worker id, score = lease expiry (epoch ms) |
 * | `{prefix}:worker:{id}`                 | string  | worker          | JSON heartbeat; TTL = 3 heartbeats       |
 * | `{prefix}:workers`                     | zset    | worker          | worker id → time of its last heartbeat (ms): how readers find the heartbeats without scanning the keyspace; members silent for 10 minutes are pruned by readers |
 * | `{prefix}:api-keys`                    | hash    | API             | field = key id, value = JSON `{id, name, scopes, sha256, createdAt, revokedAt?}`; only the SHA-256 of a key is stored; revoked keys stay (access control stays on once any key was created) |
 * | `{prefix}:rate-limit:{subject}`        | string  | API             | GCRA theoretical arrival time (epoch ms) of `key:{id}` or `ip:{address}`; TTL = until it no longer matters |
 * | `{prefix}:payload:{id}`                | string  | API → worker    | raw tensor bytes of a large request (claim check); deleted when it completes, else TTL = retention |
 * | `{prefix}:batching:{model}:{version}` | string  | API             | JSON `BatchingSettings` set at run time; overrides config.json until deleted |
 * | `{prefix}:events:batching`             | pub/sub | API → worker    | JSON `BatchingChange`: re-read that version's batching settings |
 * | `{prefix}:model-registry`              | hash    | API             | field `{model}/{version}` → JSON `VersionRecord` (model-control.ts): desired state (`loaded`/`unloaded`) of versions registered at run time (with their file's sha256, size, config, signature) and of repository versions unloaded or loaded again; no TTL |
 * | `{prefix}:model-state:{model}:{version}` | hash  | worker          | field = worker id → JSON `WorkerVersionReport` (`LOADING`, `READY`, `UNLOADING`, `FAILED` + reason); a worker deletes its field when it releases the version or stops; a field whose worker has no heartbeat is ignored (and pruned by the API) |
 * | `{prefix}:events:model-control`        | pub/sub | API, worker     | JSON `ModelControlEvent`: `desired` (re-read that registry entry) or `state` (a worker's report changed) |
 * | BullMQ queue `predict-{model}`         | BullMQ  | API → worker    | jobs `predict` with `PredictionJobData`; BullMQ keys under `{prefix}:predict-{model}:*`; a pipeline has its queue as a model does (its steps' tensors never go through Redis) |
 * | `{prefix}:prediction-log`              | stream  | worker          | field `d` = JSON `PredictionLogEntry` (monitoring.ts), sampled; `MAXLEN ~ PREDICTION_LOG_MAX_LEN`; consumer group `monitor` |
 * | `{prefix}:feedback-log`                | stream  | API             | field `d` = JSON `FeedbackEntry`; `MAXLEN ~ 100000`; consumer group `monitor` |
 * | `{prefix}:feedback:{id}`               | string  | API             | `1` once feedback for prediction `id` is stored (one feedback per prediction); TTL = retention |
 * | `{prefix}:reference:{model}:{version}` | hash    | API             | uploaded reference sample: `csv`, `rows`, `uploadedAt`; overrides `models/<m>/<v>/reference.csv` |
 * | `{prefix}:monitor:window:{kind}:{model}:{version}` | list | monitor | JSON items of the window being filled (`kind` = `predictions` or `feedback`) |
 * | `{prefix}:monitor:window-meta:{kind}:{model}:{version}` | hash | monitor | `rows`, `startedAt`, `seq` (windows closed so far) of that window |
 * | `{prefix}:monitor:reports:{model}:{version}` | list | monitor     | JSON `WindowReport`s, newest first, at most MONITOR_MAX_REPORTS |
 * | `{prefix}:monitor:series:{model}:{version}:{name}` | stream | monitor | fields `t`, `v`, `w` (a `SeriesPoint`); `MAXLEN ~ SERIES_MAX_POINTS` |
 * | `{prefix}:monitor:series-index:{model}:{version}` | set | monitor  | names of the series of that version |
 * | `{prefix}:monitor:settings`            | string  | monitor         | JSON `MonitorSettings` (window size, thresholds) of the last monitor started, for the dashboard |
 * | `{prefix}:monitor:accuracy:{model}:{version}` | list | monitor | `1` (right) / `0` (wrong) per feedback label, newest last, the last FEEDBACK_WINDOW_SIZE (the rolling accuracy window) |
 * | `{prefix}:monitor:accuracy-labels:{model}:{version}` | string | monitor | labels received so far (numbers the accuracy points) |
 * | `{prefix}:monitor:heartbeat:{id}`      | string  | monitor         | JSON `MonitorHeartbeat`, rewritten every MONITOR_HEARTBEAT_MS; TTL = 3 heartbeats; deleted on a clean stop |
 * | `{prefix}:monitor:last-seen`           | string  | monitor         | epoch ms of the latest heartbeat of any monitor (no TTL: "down since" after the last one died) |
 * | `{prefix}:alerts`                      | stream  | monitor         | field `d` = JSON `AlertEvent`; `MAXLEN ~ ALERT_HISTORY_MAX_LEN` |
 * | `{prefix}:traffic:{model}`            | string  | API (store)     | JSON `TrafficPolicy` (traffic-policy.ts) in force, with its `revision`; written only by `put-traffic-2.lua` (compare-and-set on the revision) |
 * | `{prefix}:traffic-history:{model}`    | list    | API (store)     | JSON `TrafficPolicy` of every revision, newest first (index 0 = current), at most TRAFFIC_HISTORY_MAX |
 * | `{prefix}:events:traffic`              | pub/sub | API → API       | JSON `TrafficChange`: re-read that model's traffic policy |
 * | `{prefix}:comparison:{model}:{version}:{baseline}` | hash | worker | shadow pair counters of `version` (the shadow) against `baseline` (the primary that served): `pairs`, `samples` (rows compared), `agreements` (rows with the same argmax / label), `absDiffSum`, `absDiffCount` (output elements compared), `class:b:{class}` / `class:v:{class}` (rows per class chosen by the baseline / the version: output drift), `updatedAt` |
 * | `{prefix}:comparison-index:{model}`   | set     | worker          | members `{version}:{baseline}`: the comparison hashes of the model (for /metrics) |
 * | `{prefix}:queued-shadow:{model}`      | string  | API, worker     | shadow predictions of the model in status `queued`, counted apart from `queued:{model}` so mirrors never fill a client's queue bound |
 * | `{prefix}:alert-cooldown:{model}:{version}:{rule}` | string | monitor | set NX with TTL = ALERT_COOLDOWN_MS: dedupe across monitors and cooldown |
 * | `{prefix}:batch:{id}`                  | hash    | API, worker     | batch job: status, model, version, total, done, failed, chunkSize, format, inputFormat, priority, createdAt, startedAt, finishedAt, owner, webhook, resultUri, schedule, error; TTL = retention once final (packages/batch-jobs) |
 * | `{prefix}:batch:{id}:chunks`           | hash    | worker          | field = chunk index, value = `done,failed` rows: a chunk counts once (`batch-chunk-done-2.lua`); TTL = retention once final |
 * | BullMQ queue `batches-{model}`         | BullMQ  | API → worker    | jobs `run` with `{id}`: one per batch (job id = batch id); BullMQ keys under `{prefix}:batches-{model}:*` |
 * | BullMQ queue `batch-schedules-{model}` | BullMQ  | API → worker    | job schedulers (id = schedule id, cron pattern) whose jobs `create-batch` create a batch of that model from a URI |
 * | `{prefix}:version-stats:{model}:{version}:{second}` | hash | worker | per-version live figures of predictions that ended in that epoch second: `n` (ended), `e` (failed + expired), `l:{i}` (completed ones with end-to-end latency in bucket i: ≤ 1.1^i ms), `c:{class}` (rows predicted as that class); TTL VERSION_STATS_TTL_SECONDS |
 * | `{prefix}:rollout:{model}:{id}`        | hash    | API, monitor    | `json` = JSON `Rollout` (rollout.ts), `seq` = compare-and-set counter (every write checks it) |
 * | `{prefix}:rollouts:{model}`            | list    | API             | rollout ids of the model, newest first, the last 100 (older rollouts are deleted) |
 * | `{prefix}:rollout-active:{model}`      | string  | API, monitor    | id of the model's active rollout (SET NX: one at a time); deleted when it ends |
 * | `{prefix}:rollout-models`              | set     | API, monitor    | models with an active rollout (what the rollout driver visits each tick) |
 * | `{prefix}:rollout-lock:{model}`        | string  | API, monitor    | token of the one process changing the model's active rollout now (approve, pause, tick…); SET NX PX 10 s |
 * | `{prefix}:rollouts:leader`             | string  | monitor         | id of the monitor driving rollouts; SET NX PX ROLLOUT_LEADER_TTL_MS, renewed by its holder each tick |
 * | `{prefix}:cache:{model}:{version}:{sha256}` | hash  | worker → API    | prediction cache entry (docs/cache.md): `r` = result JSON without its per-request `id`, `o` = output summary JSON for the prediction log; TTL = the version's `cache.ttlSeconds` |
 * | `{prefix}:cache-index:{model}:{version}` | zset  | worker          | member = entry key, score = insertion time (epoch ms); trimmed to `cache.maxEntries` (oldest entries deleted) by the script that inserts, so the cache bounds itself under `noeviction` |
 * | `{prefix}:cache-stats:{model}:{version}` | hash  | API             | `hits`, `misses`: cache lookups of the version, all API processes together (dashboard) |
 *
 * `prefix` defaults to `inferq`, so several deployments (or test runs) can share one Redis.
 */

/** Default key prefix. */
export const DEFAULT_KEY_PREFIX = 'inferq';

/** Model names (and so queue names) are restricted to this pattern. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The two kinds of monitoring windows: logged predictions and feedback labels. */
export type MonitorWindowKind = 'predictions' | 'feedback';

/** Key builders bound to one prefix. */
export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX) {
  return Object.freeze({
    prefix,
    prediction: (id: string) => `${prefix}:prediction:${id}`,
    payload: (id: string) => `${prefix}:payload:${id}`,
    batching: (model: string, version: string) => `${prefix}:batching:${model}:${version}`,
    batchingChannel: `${prefix}:events:batching`,
    modelRegistry: `${prefix}:model-registry`,
    modelState: (model: string, version: string) => `${prefix}:model-state:${model}:${version}`,
    modelControlChannel: `${prefix}:events:model-control`,
    predictionFinalChannel: `${prefix}:events:prediction-final`,
    queuedCount: (model: string) => `${prefix}:queued:${model}`,
    writeProbe: `${prefix}:write-probe`,
    deviceLease: (device: string) => `${prefix}:device-lease:${device}`,
    workerHeartbeat: (workerId: string) => `${prefix}:worker:${workerId}`,
    workerHeartbeatPattern: `${prefix}:worker:*`,
    workers: `${prefix}:workers`,
    predictionLog: `${prefix}:prediction-log`,
    feedbackLog: `${prefix}:feedback-log`,
    feedbackGiven: (id: string) => `${prefix}:feedback:${id}`,
    referenceUpload: (model: string, version: string) => `${prefix}:reference:${model}:${version}`,
    monitorWindow: (kind: MonitorWindowKind, model: string, version: string) => `${prefix}:monitor:window:${kind}:${model}:${version}`,
    monitorWindowMeta: (kind: MonitorWindowKind, model: string, version: string) => `${prefix}:monitor:window-meta:${kind}:${model}:${version}`,
    monitorReports: (model: string, version: string) => `${prefix}:monitor:reports:${model}:${version}`,
    monitorSeries: (model: string, version: string, name: string) => `${prefix}:monitor:series:${model}:${version}:${name}`,
    monitorSeriesIndex: (model: string, version: string) => `${prefix}:monitor:series-index:${model}:${version}`,
    monitorSettings: `${prefix}:monitor:settings`,
    monitorAccuracy: (model: string, version: string) => `${prefix}:monitor:accuracy:${model}:${version}`,
    monitorAccuracyLabels: (model: string, version: string) => `${prefix}:monitor:accuracy-labels:${model}:${version}`,
    monitorHeartbeat: (monitorId: string) => `${prefix}:monitor:heartbeat:${monitorId}`,
    monitorHeartbeatPattern: `${prefix}:monitor:heartbeat:*`,
    monitorLastSeen: `${prefix}:monitor:last-seen`,
    monitors: `${prefix}:monitors`,
    alerts: `${prefix}:alerts`,
    alertCooldown: (model: string, version: string, rule: string) => `${prefix}:alert-cooldown:${model}:${version}:${rule}`,
    versionStats: (model: string, version: string, second: number) => `${prefix}:version-stats:${model}:${version}:${second}`,
    rollout: (model: string, id: string) => `${prefix}:rollout:${model}:${id}`,
    rollouts: (model: string) => `${prefix}:rollouts:${model}`,
    rolloutActive: (model: string) => `${prefix}:rollout-active:${model}`,
    rolloutModels: `${prefix}:rollout-models`,
    rolloutLock: (model: string) => `${prefix}:rollout-lock:${model}`,
    rolloutLeader: `${prefix}:rollouts:leader`,
    cacheEntry: (model: string, version: string, key: string) => `${prefix}:cache:${model}:${version}:${key}`,
    cacheIndex: (model: string, version: string) => `${prefix}:cache-index:${model}:${version}`,
    cacheStats: (model: string, version: string) => `${prefix}:cache-stats:${model}:${version}`,
    traffic: (model: string) => `${prefix}:traffic:${model}`,
    trafficHistory: (model: string) => `${prefix}:traffic-history:${model}`,
    trafficChannel: `${prefix}:events:traffic`,
    comparison: (model: string, version: string, baseline: string) => `${prefix}:comparison:${model}:${version}:${baseline}`,
    comparisonIndex: (model: string) => `${prefix}:comparison-index:${model}`,
    shadowQueuedCount: (model: string) => `${prefix}:queued-shadow:${model}`,
    apiKeys: `${prefix}:api-keys`,
    rateLimit: (subject: string) => `${prefix}:rate-limit:${subject}`,
    batch: (id: string) => `${prefix}:batch:${id}`,
    batchChunks: (id: string) => `${prefix}:batch:${id}:chunks`,
  });
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/** BullMQ queue name of a model's predictions (BullMQ forbids ':' in names). */
export function predictionQueueName(model: string): string {
  return `predict-${model}`;
}
