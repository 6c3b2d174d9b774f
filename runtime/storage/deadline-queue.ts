/**
 * Deadlines for many calls that share one timeout, on one timer: every storage call is bounded
 * (runtime/storage/timed-storage.ts), and so is every held turn on a by-id session (runtime/tracker/turns.ts);
 * a Node timer each (set, then cleared a millisecond later) cost more than a memory storage's read. Calls
 * that share a timeout reach their deadlines in the order they started, so a queue in start order and one
 * timer armed for the oldest unsettled call is enough: a call that hangs still fails exactly at its own
 * deadline, and a steady flow of calls that settle in time wakes the timer at most once per timeout. With
 * nothing in flight the timer stays, unreferenced (it keeps no process alive), and lapses at its time: a
 * call that starts before then re-references it instead of setting a timer of its own.
 */

interface Pending {
  readonly deadline: number;
  readonly expire: () => void;
  settled: boolean;
}

/** What `start` returns: `settle` once the call has an answer; after its deadline `expire` has run instead. */
export interface Deadline {
  /** Whether the call was still in time (its `expire` has not run); it is settled either way. */
  settle(): boolean;
}

export class DeadlineQueue {
  readonly #pending: Pending[] = [];
  /** Index of the oldest entry not yet dropped; entries before it are gone. */
  #head = 0;
  #timer: NodeJS.Timeout | undefined = undefined;
  /** Whether the timer is unreferenced because no call is in flight. */
  #idle = false;

  constructor(
    /** Milliseconds each call may take. */
    readonly timeout: number,
    /** Monotonic milliseconds, as Node's timers count: a wall-clock step neither delays nor hastens a deadline. */
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts a call's clock: `expire` runs at its deadline unless `settle` comes first. */
  start(expire: () => void): Deadline {
    const entry: Pending = { deadline: this.now() + this.timeout, expire, settled: false };
    this.#pending.push(entry);
    if (this.#timer === undefined) this.#arm(this.timeout);
    else if (this.#idle) {
      this.#idle = false;
      this.#timer.ref();
    }
    return {
      settle: () => {
        if (entry.settled) return false;
        entry.settled = true;
        this.#dropSettled();
        return true;
      },
    };
  }

  /** Calls started and not settled or expired yet. */
  get size(): number {
    let count = 0;
    for (let index = this.#head; index < this.#pending.length; index += 1) if (!this.#pending[index]!.settled) count += 1;
    return count;
  }

  /** Drops the settled entries at the head; the timer stops holding the process when nothing is left to watch. */
  #dropSettled(): void {
    while (this.#head < this.#pending.length && this.#pending[this.#head]!.settled) this.#head += 1;
    if (this.#head === this.#pending.length) {
      this.#pending.length = 0;
      this.#head = 0;
      if (this.#timer !== undefined && !this.#idle) {
        this.#idle = true;
        this.#timer.unref();
      }
    } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /**
   * The timer's turn: every call past its deadline is taken out of the queue and the timer re-armed for the
   * oldest one left, and only then do their `expire`s run: one may start or settle calls (an event listener
   * calling a storage), which must find the queue whole.
   */
  #fire(): void {
    this.#timer = undefined;
    this.#idle = false;
    const now = this.now();
    const due: Pending[] = [];
    while (this.#head < this.#pending.length) {
      const entry = this.#pending[this.#head]!;
      if (!entry.settled) {
        if (entry.deadline > now) break;
        entry.settled = true;
        due.push(entry);
      }
      this.#head += 1;
    }
    this.#dropSettled();
    const oldest = this.#pending[this.#head];
    if (oldest !== undefined && this.#timer === undefined) this.#arm(oldest.deadline - now);
    for (const entry of due) entry.expire();
  }

  #arm(milliseconds: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, milliseconds));
  }
}
