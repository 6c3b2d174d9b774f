/**
 * Spec durations: a positive whole number and one unit, `30s`, `15m`, `12h`, `7d` or `2w`. The model and
 * the runtime count seconds, the unit cookies' `Max-Age` uses (RFC 6265 section 5.2.2).
 */

/** The shape a duration string must have; spec-schema.json holds the same pattern for editors. */
export const DURATION_PATTERN = /^[1-9][0-9]*[smhdw]$/;

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/**
 * Seconds in a duration string, or `undefined` when it is not one.
 *
 * @example
 * parseDuration('30m'); // 1800
 * parseDuration('2w'); // 1209600
 * parseDuration('7 days'); // undefined
 */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !DURATION_PATTERN.test(text)) return undefined;
  const unit = text.slice(-1) as keyof typeof SECONDS_PER_UNIT;
  return Number(text.slice(0, -1)) * SECONDS_PER_UNIT[unit];
}

/**
 * Seconds in an `expiry.touchAfter`: a duration, or `0` for every request; `undefined` when it is neither.
 *
 * @example
 * parseTouchAfter('5m'); // 300
 * parseTouchAfter(0); // 0
 */
export function parseTouchAfter(value: unknown): number | undefined {
  return value === 0 ? 0 : parseDuration(value);
}
