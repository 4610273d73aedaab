// RFC 3339 as docs/protocol.md §1 reads it. Date.parse alone is too lenient
// (it accepts many shapes, and some engines roll 2023-02-30 over to March)
// and differs between browsers on lower-case `t`/`z`, so the shape and the
// field ranges are checked here and the value is computed with Date.UTC.

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * Milliseconds since the epoch, or null when `text` is not a timestamp the
 * server would accept. Digits past the millisecond are dropped, not rounded.
 */
export function timestampMs(text: string): number | null {
  const m = pattern.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC(year, …): Date.UTC maps years 0–99 to 19xx.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offsetMin * 60000;
}
