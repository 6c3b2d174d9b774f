/**
 * Numbers as Kotlin prints them: kotlinx JSON writes a `Double` with `Double.toString()` (`3.0`, not `3`), and
 * the reflection format writes `#f` + the same text. Byte-exact output needs the same digits.
 */

/** Java's `Double.toString` switches to scientific notation outside [10^-3, 10^7). */
const PLAIN_FROM = 1e-3;
const PLAIN_BELOW = 1e7;

/**
 * `Double.toString()` of a finite double, from the shortest digits that read back to the same value (what
 * JDK 19+ prints; older JDKs could print a longer but equal value, which reads back the same).
 *
 * @example
 * kotlinDoubleText(3);      // '3.0'
 * kotlinDoubleText(1e10);   // '1.0E10'
 * kotlinDoubleText(0.0001); // '1.0E-4'
 */
export function kotlinDoubleText(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= PLAIN_FROM && magnitude < PLAIN_BELOW) {
    const plain = String(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}
