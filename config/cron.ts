/**
 * Cron expressions in two forms: six fields as CloudNativePG's scheduler reads them (seconds
 * first, then minutes, hours, day of month, month, day of week) and five fields as a Kubernetes
 * CronJob reads them (no seconds: every run starts at second 0). Both are restricted to numbers,
 * `*`, ranges, steps and lists: no names, no `?`, no macros, no time zone prefix, single spaces.
 * The grammar check and the expansion into allowed values per field share one parser, so what
 * the schema accepts is what the backup-age alerts compute their interval from.
 */

/** Allowed values of each field, in order. */
export const CRON_FIELDS = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

type CronField = (typeof CRON_FIELDS)[number];

const CRON_ITEM = /^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(\/([0-9]{1,2}))?$/;

/** The values one field allows, or why it is malformed. */
function expandField(text: string, field: CronField): Set<number> | string {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = CRON_ITEM.exec(item);
    if (!match) return `${field.name} must be *, a number, a range a-b, a step /n or a comma list of those`;
    const step = match[6] === undefined ? 1 : Number(match[6]);
    if (step === 0) return `${field.name} step must not be 0`;
    const low = match[1] === '*' ? field.min : Number(match[2]);
    const high = match[1] === '*' ? field.max : match[4] === undefined ? (match[6] === undefined ? low : field.max) : Number(match[4]);
    if (low < field.min || high > field.max || low > high) return `${field.name} must lie between ${field.min} and ${field.max}`;
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

export interface CronSchedule {
  /** Allowed values per field, in CRON_FIELDS order. */
  readonly fields: readonly ReadonlySet<number>[];
  /** Day of month and day of week both restricted: either matching is enough (as the scheduler does). */
  readonly eitherDay: boolean;
}

/** `seconds`: six fields, seconds first (CloudNativePG); `minutes`: five fields (a Kubernetes CronJob). */
export type CronForm = 'seconds' | 'minutes';

const FORM_MESSAGES: Readonly<Record<CronForm, string>> = {
  seconds: 'must be six cron fields separated by single spaces: seconds minutes hours day-of-month month day-of-week, e.g. 0 0 2 * * *',
  minutes: 'must be five cron fields separated by single spaces: minutes hours day-of-month month day-of-week, e.g. 30 2 * * *',
};

/** Recently judged schedules: walking the four-year cycle costs about a millisecond, and every config validation judges the same few. */
const judged = new Map<string, string | null>();
const JUDGED_LIMIT = 64;

/** The schedule, or why `text` is not one (a five-field schedule runs at second 0). */
export function parseCron(text: string, form: CronForm = 'seconds'): CronSchedule | string {
  const written = text.split(' ');
  if (written.length !== (form === 'seconds' ? CRON_FIELDS.length : CRON_FIELDS.length - 1) || written.some((part) => part === ''))
    return FORM_MESSAGES[form];
  const parts = form === 'seconds' ? written : ['0', ...written];
  const fields: Set<number>[] = [];
  for (const [index, field] of CRON_FIELDS.entries()) {
    const values = expandField(parts[index] ?? '', field);
    if (typeof values === 'string') return values;
    fields.push(values);
  }
  return { fields, eitherDay: !(parts[3] ?? '').startsWith('*') && !(parts[5] ?? '').startsWith('*') };
}

export function cronScheduleProblem(text: string, form: CronForm = 'seconds'): string | null {
  const key = `${form} ${text}`;
  const known = judged.get(key);
  if (known !== undefined) return known;
  const parsed = parseCron(text, form);
  const problem =
    typeof parsed === 'string' ? parsed : longestGapSeconds(parsed) === null ? 'never runs (no calendar day matches it)' : null;
  if (judged.size >= JUDGED_LIMIT) judged.delete(judged.keys().next().value ?? '');
  judged.set(key, problem);
  return problem;
}

/** Whether the schedule runs on this UTC day (month, day of month, day of week). */
function runsOnDay(schedule: CronSchedule, day: Date): boolean {
  const [, , , days, months, weekdays] = schedule.fields;
  if (!months?.has(day.getUTCMonth() + 1)) return false;
  const dayOfMonth = days?.has(day.getUTCDate()) ?? false;
  const dayOfWeek = weekdays?.has(day.getUTCDay()) ?? false;
  return schedule.eitherDay ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
}

const DAY_MINUTES = 24 * 60;
/** Four years from a leap year's start: every calendar pattern a schedule can follow repeats within it. */
const CYCLE_START = Date.UTC(2028, 0, 1);
const CYCLE_DAYS = 365 * 4 + 1;

/** The longest time between two runs of the schedule, in seconds (to a minute), or null if it never runs. */
export function longestGapSeconds(schedule: CronSchedule): number | null {
  const [, minutes = new Set<number>(), hours = new Set<number>()] = schedule.fields;
  const withinDay = [...hours].flatMap((hour) => [...minutes].map((minute) => hour * 60 + minute)).sort((a, b) => a - b);
  let first: number | undefined;
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < CYCLE_DAYS; day += 1) {
    if (!runsOnDay(schedule, new Date(CYCLE_START + day * DAY_MINUTES * 60_000))) continue;
    for (const offset of withinDay) {
      const minute = day * DAY_MINUTES + offset;
      if (previous !== undefined) longest = Math.max(longest, minute - previous);
      first ??= minute;
      previous = minute;
    }
  }
  if (first === undefined || previous === undefined) return null;
  // From the last run of the cycle to the first of the next.
  longest = Math.max(longest, CYCLE_DAYS * DAY_MINUTES - previous + first);
  return longest * 60;
}
