/**
 * The `format` checks of ajv-formats 3.0.1 (`ajv-formats/dist/formats`, its `fullFormats`; MIT licensed,
 * (c) Evgeny Poberezkin) that ajv's standalone code calls by reference. ajv-formats' other formats are
 * regular expressions, which the generated code holds inline, or `true` (`password`, `binary`: anything
 * goes), which it does not check. Ported to TypeScript without changing what they accept; each entry keeps
 * ajv-formats' shape (a function, or an object with `validate`), since the generated code calls it so.
 */

/**
 * The formats generated validators reference, by format name.
 *
 * @example
 * formats.date.validate('2024-02-29'); // true
 * formats.uri('relative/path');        // false: a URI has a scheme
 */
export const formats = {
  // RFC 3339 section 5.6.
  date: { validate: date },
  time: { validate: time(true) },
  'date-time': { validate: dateTime(true) },
  // As time and date-time, with the time zone optional.
  'iso-time': { validate: time(false) },
  'iso-date-time': { validate: dateTime(false) },
  uri,
  regex,
  byte,
  int32: { type: 'number', validate: int32 },
  // JavaScript has no integers past 2^53, so any integer is a valid int64.
  int64: { type: 'number', validate: Number.isInteger },
  // Any number is a C float or double.
  float: { type: 'number', validate: anyNumber },
  double: { type: 'number', validate: anyNumber },
} as const;

const DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  // RFC 3339 appendix C.
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function date(text: string): boolean {
  const matches = DATE.exec(text);
  if (!matches) return false;
  const year = Number(matches[1]);
  const month = Number(matches[2]);
  const day = Number(matches[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeapYear(year) ? 29 : DAYS[month]!);
}

const TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;

function time(strictTimeZone: boolean): (text: string) => boolean {
  return function time(text) {
    const matches = TIME.exec(text);
    if (!matches) return false;
    const hour = Number(matches[1]);
    const minute = Number(matches[2]);
    const second = Number(matches[3]);
    const zone = matches[4];
    const zoneSign = matches[5] === '-' ? -1 : 1;
    const zoneHour = Number(matches[6] || 0);
    const zoneMinute = Number(matches[7] || 0);
    if (zoneHour > 23 || zoneMinute > 59 || (strictTimeZone && !zone)) return false;
    if (hour <= 23 && minute <= 59 && second < 60) return true;
    // A leap second: 23:59:60 in UTC.
    const utcMinute = minute - zoneMinute * zoneSign;
    const utcHour = hour - zoneHour * zoneSign - (utcMinute < 0 ? 1 : 0);
    return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
  };
}

const DATE_TIME_SEPARATOR = /t|\s/i;

function dateTime(strictTimeZone: boolean): (text: string) => boolean {
  const timeOf = time(strictTimeZone);
  return function dateTime(text) {
    const parts = text.split(DATE_TIME_SEPARATOR);
    return parts.length === 2 && date(parts[0]!) && timeOf(parts[1]!);
  };
}

const NOT_URI_FRAGMENT = /\/|:/;
// http://jmrware.com/articles/2009/uri_regexp/URI_regex.html, with the scheme required.
const URI =
  /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

function uri(text: string): boolean {
  return NOT_URI_FRAGMENT.test(text) && URI.test(text);
}

// After https://github.com/miguelmota/is-base64.
const BYTE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/gm;

function byte(text: string): boolean {
  BYTE.lastIndex = 0;
  return BYTE.test(text);
}

const MIN_INT32 = -(2 ** 31);
const MAX_INT32 = 2 ** 31 - 1;

function int32(value: number): boolean {
  return Number.isInteger(value) && value <= MAX_INT32 && value >= MIN_INT32;
}

function anyNumber(): boolean {
  return true;
}

// `\Z` is an anchor in other regex dialects and a plain Z in JavaScript's: refused rather than misread.
const Z_ANCHOR = /[^\\]\\Z/;

/** Whether `text` is a regular expression JavaScript accepts; compiling one is not evaluating code. */
function regex(text: string): boolean {
  if (Z_ANCHOR.test(text)) return false;
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}
