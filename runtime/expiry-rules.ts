/**
 * The rules about a session's `expiry:` that `typed-sessions validate` checks with a position and
 * `installSessions()` checks again at startup, one pure function for both (as in runtime/session-rules.ts),
 * and seconds written as the spec writes them.
 */
import { MAX_COOKIE_AGE_SECONDS } from './lifetime.js';

/** A problem with one expiry setting. */
export interface ExpiryProblem {
  readonly setting: 'maxAge' | 'idle' | 'touchAfter';
  readonly problem: string;
}

/** The expiry settings the rules judge, as seconds. */
export interface ExpiryFacts {
  readonly maxAge: number;
  readonly idle?: number | undefined;
  readonly touchAfter?: number | undefined;
  readonly rolling?: boolean | undefined;
}

/**
 * `maxAge` at most the 400 days browsers keep a cookie, and `idle` (when set) below it, or it never fires;
 * both whole seconds above 0 (the generator's durations always are). `touchAfter`, whole seconds from 0,
 * only where it means something: with an `idle` to slide, below it, and without `rolling`.
 *
 * @example
 * expiryProblems({ maxAge: 3600, idle: 7200 }); // [{ setting: 'idle', problem: 'expiry.idle (2h) must be less than ...' }]
 */
export function expiryProblems(expiry: ExpiryFacts): ExpiryProblem[] {
  const { maxAge, idle } = expiry;
  const problems: ExpiryProblem[] = [];
  for (const [setting, seconds] of [['maxAge', maxAge], ['idle', idle]] as const) {
    if (seconds !== undefined && !(Number.isSafeInteger(seconds) && seconds > 0)) {
      problems.push({ setting, problem: `expiry.${setting} must be a whole number of seconds above 0, not ${seconds}` });
    }
  }
  if (problems.length > 0) return problems;
  if (maxAge > MAX_COOKIE_AGE_SECONDS) {
    problems.push({
      setting: 'maxAge',
      problem: `expiry.maxAge (${formatSeconds(maxAge)}) is over the 400 days browsers allow a cookie to live (RFC 6265bis section 5.5); use 400d or less`,
    });
  }
  if (idle !== undefined && idle >= maxAge) {
    problems.push({
      setting: 'idle',
      problem: `expiry.idle (${formatSeconds(idle)}) must be less than maxAge (${formatSeconds(maxAge)}), or it can never fire; shorten idle or raise maxAge`,
    });
  }
  const touchAfter = touchAfterProblem(expiry);
  if (touchAfter !== undefined) problems.push({ setting: 'touchAfter', problem: touchAfter });
  return problems;
}

function touchAfterProblem({ idle, touchAfter, rolling }: ExpiryFacts): string | undefined {
  if (touchAfter === undefined) return undefined;
  if (!(Number.isSafeInteger(touchAfter) && touchAfter >= 0)) return `expiry.touchAfter must be a whole number of seconds, 0 or more, not ${touchAfter}`;
  if (rolling === true) {
    return 'expiry.touchAfter cannot be combined with rolling: true, which re-sends the session and records its activity on every request; remove one of them';
  }
  if (idle === undefined) return 'expiry.touchAfter limits how often activity slides the idle timeout, and there is no expiry.idle; set idle, or remove touchAfter';
  if (touchAfter < idle) return undefined;
  return `expiry.touchAfter (${formatSeconds(touchAfter)}) must be less than idle (${formatSeconds(idle)}), or no activity would ever slide the idle timeout; shorten touchAfter (leave it out for a tenth of idle, at most 1h)`;
}

/**
 * Seconds as the spec writes them: the largest unit that divides them.
 *
 * @example
 * formatSeconds(7200); // '2h'
 * formatSeconds(1_209_600); // '2w'
 */
export function formatSeconds(seconds: number): string {
  const [unit, size] = ([['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]] as const).find(([, length]) => seconds % length === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}
