/** Synapse-style durations ("30m", "7d") and sizes ("50M"), parsed for bound checks. */

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const SIZE_UNITS: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

export function parseDuration(text: string): number | null {
  const match = /^([1-9][0-9]*)(s|m|h|d|w|y)$/.exec(text);
  return match ? Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0) : null;
}

export function parseSize(text: string): number | null {
  const match = /^([1-9][0-9]*)(K|M|G)$/.exec(text);
  return match ? Number(match[1]) * (SIZE_UNITS[match[2] ?? ''] ?? 0) : null;
}

export const DAY_MS = DURATION_UNITS_MS.d ?? 86_400_000;
