import type { Redis } from 'ioredis';
import type { RedisKeys } from '@inferq/contract';
import type { RolloutEngine } from '@inferq/predictions';
import { redisScript } from '@inferq/redis';
import type { Logger } from '@inferq/logger';

/** Settings of the rollout driver. */
export interface RolloutDriverOptions {
  /** This monitor's id (the leader lock's value). */
  id: string;
  /** Time between ticks, ms. */
  tickMs: number;
  /** Run by the leader before each tick (e.g. re-reading which versions are READY). @defaultValue none */
  beforeTick?: () => Promise<void>;
  /** Life of the leader lock, ms (renewed every tick by its holder; another monitor takes over after it). */
  leaderTtlMs: number;
}

/**
 * Drives rollouts: every `tickMs`, takes or renews the leader lock (`SET NX PX`, so of several
 * monitors exactly one drives) and, when it holds it, ticks each model's active rollout. The state
 * lives in Redis, so a monitor that restarts, or another one taking over, continues where the
 * last left off.
 */
export class RolloutDriver {
  readonly #engine: RolloutEngine;
  readonly #keys: RedisKeys;
  readonly #options: RolloutDriverOptions;
  readonly #logger: Logger;
  readonly #lock;
  readonly #release;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #leader = false;
  #closing: Promise<void> | undefined;
  /** Ticks run as leader (tests, logs). */
  readonly counters = { ticks: 0, errors: 0 };

  constructor(engine: RolloutEngine, redis: Redis, keys: RedisKeys, options: RolloutDriverOptions, logger: Logger) {
    this.#engine = engine;
    this.#keys = keys;
    this.#options = options;
    this.#logger = logger;
    this.#lock = redisScript<number>(redis, 'leader-lock-1.lua');
    this.#release = redisScript<number>(redis, 'lock-release-1.lua');
  }

  /** Whether this monitor held the leader lock at its last tick. */
  get leader(): boolean {
    return this.#leader;
  }

  /** Starts ticking. */
  start(): void {
    this.#timer = setInterval(() => {
      this.#ticking ??= this.tick().finally(() => { this.#ticking = undefined; });
    }, this.#options.tickMs);
    this.#timer.unref();
  }

  /** One tick (the timer calls it; tests may too). Never throws. */
  async tick(): Promise<void> {
    try {
      const leader = (await this.#lock([this.#keys.rolloutLeader], [this.#options.id, this.#options.leaderTtlMs])) === 1;
      if (leader !== this.#leader) this.#logger.info({ monitorId: this.#options.id, leader }, leader ? 'driving rollouts (leader)' : 'no longer driving rollouts');
      this.#leader = leader;
      if (!leader) return;
      this.counters.ticks++;
      await this.#options.beforeTick?.();
      await this.#engine.tickAll((model, error) => {
        this.counters.errors++;
        this.#logger.warn({ model, err: error }, 'rollout tick failed; trying again next tick');
      });
    } catch (error) {
      this.counters.errors++;
      this.#logger.warn({ err: error }, 'rollout driver tick failed');
    }
  }

  /** Stops ticking, waits for the tick in hand and hands the leader lock over. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      if (this.#timer) clearInterval(this.#timer);
      await this.#ticking;
      if (this.#leader) await this.#release([this.#keys.rolloutLeader], [this.#options.id]).catch(() => undefined);
      this.#leader = false;
    })());
  }
}
