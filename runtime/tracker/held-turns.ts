/**
 * The turns one request took on its by-id sessions (runtime/tracker/turns.ts), from its loads until it ends.
 */
import type { Turn, TurnHolder, TurnSource } from './turns.js';

/**
 * Each turn is taken once, so a second token for the same id (a repeated cookie name) shares the first
 * one's turn instead of waiting for it; locks across processes are taken one after another, in the order the
 * turns are; all are confirmed before commit writes and released together when the request ends.
 *
 * @example
 * const turns = new HeldTurns();
 * await turns.takeTurn(queue, key);
 * try { await turns.confirm(); ... } finally { await turns.release(); }
 */
export class HeldTurns implements TurnHolder {
  readonly #held: { readonly source: TurnSource; readonly key: string; readonly turn: Turn }[] = [];

  takeTurn(source: TurnSource, key: string): Promise<void> {
    const held = this.#held.find((entry) => entry.source === source && entry.key === key);
    if (held !== undefined) return held.turn.ready;
    const turn = source.take(key, this.#held.at(-1)?.turn.ready);
    this.#held.push({ source, key, turn });
    return turn.ready;
  }

  /**
   * Before commit writes: throws (or rejects with) `SessionBusyError` for a turn that passed on; renews the
   * locks of `concurrency: serialize`. One turn after another, so a turn that throws at once cannot leave
   * an earlier turn's rejected renewal without a handler (an unhandled rejection ends a Node process).
   */
  confirm(): Promise<void> | undefined {
    let confirming: Promise<void> | undefined;
    for (const { turn } of this.#held) confirming = confirming === undefined ? turn.confirm() : confirming.then(() => turn.confirm());
    return confirming;
  }

  /**
   * Gives every turn up, waiting or held, so the next request on each id goes ahead; resolves once the locks
   * are released. Each turn is released whatever another's release does.
   */
  release(): Promise<void> | undefined {
    const releasing = whenAll(this.#held.map(({ turn }) => attempt(() => turn.release())));
    this.#held.length = 0;
    return releasing;
  }
}

/** `call()`, a throw turned into a rejection, so one failing call does not stop the others. */
function attempt(call: () => Promise<void> | undefined): Promise<void> | undefined {
  try {
    return call();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** One promise for the calls that are asynchronous, or `undefined` when none is: the common case costs no tick. */
function whenAll(calls: readonly (Promise<void> | undefined)[]): Promise<void> | undefined {
  const pending = calls.filter((call) => call !== undefined);
  return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
}
