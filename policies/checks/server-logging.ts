/**
 * LOG-01 for the servers configured on their command line or in a small config file: slapd's
 * debug level (`-d`, which also keeps it in the foreground logging to stderr), PostgreSQL's
 * connection logging (`-c` settings), and Redis's log file.
 */
import { invocations, type Invocation } from '../../tfjson/invocations';
import type { PodSpecView } from '../../tfjson/pod-specs';
import type { ConfigMapFile } from '../../tfjson/synapse-config';
import { strings } from '../../tfjson/terraform-json';
import type { Violation } from '../rule';

// ---------------------------------------------------------------- slapd

/** slapd's debug level keywords (`slapd -d ?`); `any` sets every bit. */
const SLAPD_LEVELS: Readonly<Record<string, number>> = {
  any: -1,
  trace: 0x1,
  packets: 0x2,
  args: 0x4,
  conns: 0x8,
  ber: 0x10,
  filter: 0x20,
  config: 0x40,
  acl: 0x80,
  stats: 0x100,
  stats2: 0x200,
  shell: 0x400,
  parse: 0x800,
  sync: 0x4000,
  none: 0x8000,
};
/** Connections, binds (who) and operations with their result (did what). */
export const SLAPD_STATS = SLAPD_LEVELS.stats ?? 0x100;

/** A C integer as strtol with base 0 reads it (decimal, 0x hex, 0 octal); undefined if it is not one. */
function cInteger(text: string): number | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2] ?? '0';
  const value = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? parseInt(digits, 8)
      : parseInt(digits, 10);
  return match[1] === '-' ? -value : value;
}

/** The debug level slapd runs with (its parse_debug_level: keywords OR-ed, numbers OR-ed, 0 resets); undefined without -d. */
export function slapdDebugLevel(args: readonly string[]): number | undefined {
  let level: number | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] ?? '';
    if (!word.startsWith('-d')) continue;
    const value = word === '-d' ? args[++index] : word.slice(2);
    if (value === undefined) continue;
    level ??= 0;
    if (value !== '' && !value.startsWith('-') && !/^[0-9]/.test(value)) {
      for (const keyword of value.split(',')) level |= SLAPD_LEVELS[keyword.toLowerCase()] ?? 0;
    } else {
      const number = cInteger(value);
      if (number !== undefined) level = number === 0 ? 0 : level | number;
    }
  }
  return level;
}

function slapdProblem(invocation: Invocation): string | undefined {
  const level = slapdDebugLevel(invocation.args);
  if (level === undefined) return 'runs slapd without -d: it detaches and logs to syslog, not to stdout (run it with "-d stats")';
  return (level & SLAPD_STATS) === 0
    ? `runs slapd with debug level ${level}, without stats (256): binds and operations are not logged (use "-d stats")`
    : undefined;
}

// ---------------------------------------------------------------- PostgreSQL

/** The server settings of a postgres command line: `-c name=value`, `-cname=value`, `--name=value` (last one wins, dashes as underscores). */
export function postgresSettings(args: readonly string[]): Map<string, string> {
  const settings = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] ?? '';
    let setting: string | undefined;
    if (word === '-c') setting = args[++index];
    else if (word.startsWith('-c')) setting = word.slice(2);
    else if (word.startsWith('--')) setting = word.slice(2);
    const at = setting?.indexOf('=') ?? -1;
    if (setting === undefined || at < 1) continue;
    settings.set(setting.slice(0, at).toLowerCase().replace(/-/g, '_'), setting.slice(at + 1));
  }
  return settings;
}

/** PostgreSQL's parse_bool: on/off, true/false, yes/no, 1/0 and unique prefixes, any case. */
export function postgresBoolean(value: string | undefined): boolean | undefined {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '') return undefined;
  const prefix = (word: string, minimum = 1) => text.length >= minimum && word.startsWith(text);
  if (text === 'on' || text === '1' || prefix('true') || prefix('yes')) return true;
  if (text === '0' || prefix('off', 2) || prefix('false') || prefix('no')) return false;
  return undefined;
}

const POSTGRES_PROGRAMS = ['postgres', 'postmaster'];

/** The postgres server a container runs: from its argv, or the official image's entrypoint (no command; args empty or flags). */
function postgresInvocation(container: Parameters<typeof invocations>[0]): Invocation | undefined {
  const found = invocations(container).find((invocation) => POSTGRES_PROGRAMS.includes(invocation.program));
  if (found) return found;
  const image = typeof container.image === 'string' ? container.image : '';
  const repository = image.split('@')[0]?.split('/').pop()?.split(':')[0];
  const args = strings(container.args);
  const imageDefault =
    strings(container.command).length === 0 && repository === 'postgres' && (args.length === 0 || args[0]?.startsWith('-'));
  return imageDefault ? { program: 'postgres', args } : undefined;
}

function postgresProblems(invocation: Invocation): string[] {
  const settings = postgresSettings(invocation.args);
  const problems: string[] = [];
  const connections = settings.get('log_connections');
  // PostgreSQL 18 also takes a list of aspects; authorization logs the user and database.
  const aspects = (connections ?? '').split(',').map((aspect) => aspect.trim().toLowerCase());
  if (postgresBoolean(connections) !== true && !aspects.includes('all') && !aspects.includes('authorization')) {
    problems.push(
      `runs postgres with log_connections ${connections === undefined ? 'unset (off by default)' : `=${connections}`}: who connected is not logged (add -c log_connections=on)`,
    );
  }
  const disconnections = settings.get('log_disconnections');
  if (postgresBoolean(disconnections) !== true)
    problems.push(
      `runs postgres with log_disconnections ${disconnections === undefined ? 'unset (off by default)' : `=${disconnections}`}: session ends and durations are not logged (add -c log_disconnections=on)`,
    );
  if (postgresBoolean(settings.get('logging_collector')) === true)
    problems.push('runs postgres with logging_collector=on: the log goes to files inside the pod instead of stderr');
  const destination = settings.get('log_destination');
  if (destination !== undefined && !destination.split(',').some((entry) => entry.trim().toLowerCase() === 'stderr'))
    problems.push(`runs postgres with log_destination=${destination}: not stderr`);
  return problems;
}

// ---------------------------------------------------------------- Redis

/** Splits a redis.conf line into arguments as Redis does (sdssplitargs: quotes and escapes). */
function redisWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

export function isRedisConfigFile(file: ConfigMapFile): boolean {
  return /redis[^/]*\.conf$/i.test(file.file);
}

/** The last `logfile` directive of a redis.conf (undefined when absent). */
export function redisLogfile(text: string): string | undefined {
  let logfile: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [directive, value] = redisWords(line);
    if (directive?.toLowerCase() === 'logfile') logfile = value ?? '';
  }
  return logfile;
}

export function redisConfigViolations(files: readonly ConfigMapFile[]): Violation[] {
  return files.filter(isRedisConfigFile).flatMap((file) => {
    const logfile = redisLogfile(file.text);
    if (logfile === undefined)
      return [
        {
          address: file.address,
          message: 'no logfile directive: set logfile "" so the log goes to stdout, whatever the image or an include sets',
        },
      ];
    return logfile === ''
      ? []
      : [{ address: file.address, message: `logfile ${JSON.stringify(logfile)} writes the log to a file inside the pod: set logfile ""` }];
  });
}

function redisProblem(invocation: Invocation): string | undefined {
  const at = invocation.args.indexOf('--logfile');
  const logfile = at < 0 ? undefined : invocation.args[at + 1];
  return logfile !== undefined && logfile !== ''
    ? `runs redis-server with --logfile ${logfile}: the log goes to a file inside the pod instead of stdout`
    : undefined;
}

// ---------------------------------------------------------------- containers

export function serverContainerViolations(view: PodSpecView): Violation[] {
  return view.containers.flatMap((container) => {
    const address = `${view.resource.address} container "${String(container.name ?? '?')}"`;
    const problems: string[] = [];
    for (const invocation of invocations(container)) {
      if (invocation.program === 'slapd') problems.push(...[slapdProblem(invocation) ?? []].flat());
      if (invocation.program === 'redis-server') problems.push(...[redisProblem(invocation) ?? []].flat());
    }
    const postgres = postgresInvocation(container);
    if (postgres) problems.push(...postgresProblems(postgres));
    return problems.map((message) => ({ address, message }));
  });
}
