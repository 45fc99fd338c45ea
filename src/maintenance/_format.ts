/**
 * Text for the maintenance commands: durations as an operator types them
 * (`30m`, `1h30m`, `7d`) and byte counts as a person reads them.
 *
 * @module
 */

const units: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};

/**
 * Parses a duration such as `90s`, `15m`, `1h30m`, `7d` or `0` into
 * milliseconds; undefined when `text` is not one.
 */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * units[match[2]];
    at = part.lastIndex;
  }
  return at > 0 ? total : undefined;
}

/** Milliseconds as the largest whole units, such as `1h30m` or `45s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  let rest = Math.round(ms);
  let text = "";
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const count = Math.floor(rest / units[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * units[unit];
  }
  return text;
}

/** A byte count with a binary unit, such as `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const names = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < names.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${names[unit]}`;
}
