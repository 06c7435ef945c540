/**
 * The backup schedule's grammar (six cron fields, seconds first, as CloudNativePG reads them)
 * and the longest gap between two runs, which bounds the backup-age alert. Table-driven: what
 * is accepted and what is refused side by side.
 */
import { cronScheduleProblem, longestGapSeconds, parseCron } from '../../config/cron';

const HOUR = 3600;
const DAY = 24 * HOUR;

function gap(schedule: string): number | null {
  const parsed = parseCron(schedule);
  if (typeof parsed === 'string') throw new Error(parsed);
  return longestGapSeconds(parsed);
}

describe('the longest gap between two runs', () => {
  it.each([
    ['0 0 2 * * *', DAY],
    ['0 30 1 * * *', DAY],
    ['0 0 */6 * * *', 6 * HOUR],
    ['0 0 2,14 * * *', 12 * HOUR],
    ['0 0 2 * * 0', 7 * DAY],
    ['0 0 2 * * 1-5', 3 * DAY],
    ['0 0 2 1 * *', 31 * DAY],
    ['0 0 2 29 2 *', (4 * 365 + 1) * DAY],
  ])('%s: %i s', (schedule, seconds) => {
    expect(gap(schedule)).toBe(seconds);
  });
});

describe('the schedule grammar', () => {
  it.each(['0 0 2 * * *', '*/30 * * * * *', '0 0 1-5/2 * * *', '59 59 23 31 12 6', '0 0 2 1,15 * *', '0 0 2 15 * 1'])(
    'accepts %s',
    (schedule) => {
      expect(cronScheduleProblem(schedule)).toBeNull();
    },
  );

  it.each([
    ['five fields', '0 2 * * *', /six cron fields/],
    ['seven fields', '0 0 2 * * * 2026', /six cron fields/],
    ['a doubled space', '0 0 2  * * *', /six cron fields/],
    ['a trailing space', '0 0 2 * * * ', /six cron fields/],
    ['a name', '0 0 2 * * MON', /day of week must be/],
    ['a question mark', '0 0 2 ? * *', /day of month must be/],
    ['a macro', '@daily', /six cron fields/],
    ['an hour of 24', '0 0 24 * * *', /hours must lie between 0 and 23/],
    ['a day of month 0', '0 0 2 0 * *', /day of month must lie between 1 and 31/],
    ['a step of 0', '0 0 */0 * * *', /step must not be 0/],
    ['a reversed range', '0 0 5-2 * * *', /hours must lie between/],
    ['a dangling comma', '0 0 2, * * *', /hours must be/],
    ['a line break', '0 0 2 * * *\n', /day of week must be/],
    ['a day that never comes', '0 0 0 31 2 *', /never runs/],
  ])('refuses %s', (_name, schedule, message) => {
    expect(cronScheduleProblem(schedule)).toMatch(message);
  });
});

describe('the five-field form (a Kubernetes CronJob)', () => {
  it.each([
    ['30 2 * * *', DAY],
    ['*/15 * * * *', 15 * 60],
    ['0 3 * * 0', 7 * DAY],
  ])('%s: runs at second 0, longest gap %i s', (schedule, seconds) => {
    const parsed = parseCron(schedule, 'minutes');
    if (typeof parsed === 'string') throw new Error(parsed);
    expect([...(parsed.fields[0] ?? [])]).toEqual([0]);
    expect(longestGapSeconds(parsed)).toBe(seconds);
  });

  it.each([
    ['six fields', '0 30 2 * * *', /five cron fields/],
    ['four fields', '30 2 * *', /five cron fields/],
    ['a time zone prefix', 'TZ=UTC 30 2 * * *', /five cron fields/],
    ['a macro', '@hourly', /five cron fields/],
    ['a minute of 60', '60 2 * * *', /minutes must lie between 0 and 59/],
    ['a name', '30 2 * * SUN', /day of week must be/],
    ['a day that never comes', '0 0 30 2 *', /never runs/],
  ])('refuses %s', (_name, schedule, message) => {
    expect(cronScheduleProblem(schedule, 'minutes')).toMatch(message);
  });
});
