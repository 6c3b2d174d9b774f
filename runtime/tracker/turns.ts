/**
 * Requests on one session tracked by id take turns (docs/storage.md#concurrency-requests-take-turns): each
 * waits before its load until the request ahead has committed, so it reads the latest version and its
 * conditional write finds that version still there. In one process no update is lost and none is refused.
 */
import { SessionBusyError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { DeadlineQueue, type Deadline } from '../storage/deadline-queue.js';

/** One request's place in line for one session id, from before its load until the request ends. */
export interface Turn {
  /** Resolves once it is this request's turn; rejects with `SessionBusyError` when it did not come within `queueTimeout`. */
  readonly ready: Promise<void>;
  /**
   * Before commit writes: throws (or rejects with) `SessionBusyError` when the turn passed on because the
   * request held it past `holdTimeout`. A lock across processes is renewed for the writes.
   */
  confirm(): Promise<void> | undefined;
  /** Leaves the line, waiting or holding, and gives the turn to the next request; idempotent. Called once the request has ended. */
  release(): Promise<void> | undefined;
}

/** Where a by-id session's turns come from: this process's queue, and with `concurrency: serialize` a lock in the storage too. */
export interface TurnSource {
  /**
   * The turn on `key`. A lock across processes is asked for only once `after`, the request's previous
   * turn, is ready: every request takes its locks one by one in the same order (spec order), so two
   * requests carrying the same two serialized sessions never wait for each other in a circle.
   */
  take(key: string, after: Promise<void> | undefined): Turn;
}

/**
 * What keeps a request's turns (runtime/request-sessions.ts): each taken once, so a second token for the same
 * id (a repeated cookie name) shares the first one's turn instead of waiting for it, and all released together.
 */
export interface TurnHolder {
  takeTurn(source: TurnSource, key: string): Promise<void>;
}

/** Milliseconds a request may wait for its turn, and hold it. */
export interface TurnTimeouts {
  readonly queue: number;
  readonly hold: number;
}

/**
 * This process's line per id of one session. A request that carries no by-id token never enters it, and a
 * line is dropped when its last request leaves, so the map holds only ids in use right now.
 *
 * @example
 * const turn = queue.take(key);
 * await turn.ready;
 * try { ... } finally { turn.release(); }
 */
export class TurnQueue implements TurnSource {
  /** By key, the requests in line: the first holds the turn. */
  readonly #lines = new Map<string, QueuedTurn[]>();
  /** Every held turn's `holdTimeout`, on one timer: nearly every request holds a turn, and a timer each cost more than a memory storage's read. */
  readonly holds: DeadlineQueue;

  constructor(
    readonly session: string,
    readonly timeouts: TurnTimeouts,
    readonly emit: (event: SessionEvent) => void,
  ) {
    this.holds = new DeadlineQueue(timeouts.hold);
  }

  /**
   * Joins the line for `key` at once, whatever `after`: turns taken before the handler are all taken in one
   * step; a `load: lazy` session's when the handler loads it, so two requests loading two of them in opposite
   * orders can wait each other out until `queueTimeout` (docs/storage.md).
   */
  take(key: string): Turn {
    const turn = new QueuedTurn(this, key);
    const line = this.#lines.get(key);
    if (line === undefined) {
      this.#lines.set(key, [turn]);
      turn.hold();
    } else {
      line.push(turn);
      turn.wait();
    }
    return turn;
  }

  /** `turn` leaves its line, held or waiting; when it held the turn, the next in line holds it now. */
  leave(turn: QueuedTurn): void {
    const line = this.#lines.get(turn.key)!;
    const place = line.indexOf(turn);
    line.splice(place, 1);
    if (line.length === 0) this.#lines.delete(turn.key);
    else if (place === 0) line[0]!.hold();
  }

  /** The 503 for a turn that did not come, or that passed on; one `busy` event. */
  refuse(reason: SessionBusyError['reason']): SessionBusyError {
    this.emit({ type: 'busy', session: this.session, reason });
    return new SessionBusyError(this.session, reason, this.timeouts[reason]);
  }
}

class QueuedTurn implements Turn {
  readonly ready: Promise<void>;
  #grant!: () => void;
  #refuse!: (error: SessionBusyError) => void;
  #state: 'waiting' | 'holding' | 'lost' | 'left' = 'waiting';
  /** While waiting, the queue timeout. */
  #timer: NodeJS.Timeout | undefined = undefined;
  /** While holding, the hold timeout. */
  #holding: Deadline | undefined = undefined;

  constructor(
    readonly queue: TurnQueue,
    readonly key: string,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.#grant = resolve;
      this.#refuse = reject;
    });
  }

  wait(): void {
    this.#timer = setTimeout(() => {
      this.#state = 'left';
      this.queue.leave(this);
      this.#refuse(this.queue.refuse('queue'));
    }, this.queue.timeouts.queue);
  }

  /** The turn is this request's: until it releases it, or holds it past the hold timeout, after which the next request's turn comes. */
  hold(): void {
    clearTimeout(this.#timer);
    this.#state = 'holding';
    this.#holding = this.queue.holds.start(() => {
      this.#state = 'lost';
      this.queue.leave(this);
    });
    this.#grant();
  }

  confirm(): undefined {
    if (this.#state === 'lost') throw this.queue.refuse('hold');
    return undefined;
  }

  release(): undefined {
    if (this.#state === 'waiting' || this.#state === 'holding') {
      clearTimeout(this.#timer);
      this.#holding?.settle();
      this.#state = 'left';
      this.queue.leave(this);
    }
    return undefined;
  }
}
