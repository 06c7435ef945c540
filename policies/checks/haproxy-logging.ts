/**
 * LOG-01 for HAProxy: the global section logs to stdout (or stderr) at info or more verbose,
 * and every proxy that forwards requests logs them in HTTP format through `log global`.
 * Proxy settings are read as HAProxy applies them: its defaults section (the last one before it,
 * or the one named by `from`), then its own lines.
 */
import type { HaproxyConfigFile, HaproxySection } from '../../tfjson/haproxy-config';
import type { Violation } from '../rule';

/** Targets that are the process's own standard output or error. */
const STANDARD_TARGETS = ['stdout', 'stderr', 'fd@1', 'fd@2'];
/** Syslog severities, most severe first; requests are logged at info. */
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const INFO = SEVERITIES.indexOf('info');
/** `log` options that take a value before the facility. */
const LOG_OPTIONS = ['len', 'format', 'sample', 'profile'];

/** The maximum level of a `log <target> ...` line, if it names one (undefined: every level). */
function maxLevel(words: readonly string[]): string | undefined {
  let index = 2;
  while (LOG_OPTIONS.includes(words[index] ?? '')) index += 2;
  // words[index] is the facility.
  return words[index + 1];
}

function globalViolations(file: HaproxyConfigFile): Violation[] {
  const global = file.sections.find((section) => section.kind === 'global');
  const address = `${file.address} global`;
  if (!global)
    return [
      {
        address: file.address,
        message: 'no global section: no log target for the proxies\' "log global" (add "log stdout format raw local0 info")',
      },
    ];
  const targets = global.lines.filter((line) => line.words[0] === 'log' && STANDARD_TARGETS.includes(line.words[1] ?? ''));
  if (targets.length === 0)
    return [
      {
        address,
        message: 'no "log stdout" (or stderr) target: request logs do not reach the log pipeline (add "log stdout format raw local0 info")',
      },
    ];
  const complete = targets.filter((line) => {
    const level = maxLevel(line.words);
    return level === undefined || SEVERITIES.indexOf(level) >= INFO;
  });
  if (complete.length > 0) return [];
  return targets.map((line) => ({
    address,
    message: `"${line.words.join(' ')}" (line ${line.number}) caps the level at ${maxLevel(line.words) ?? '?'}: request logs (info) are dropped`,
  }));
}

function fromOf(section: HaproxySection): string | undefined {
  const header = section.header ?? [];
  const at = header.indexOf('from', 1);
  return at < 0 ? undefined : header[at + 1];
}

/** The defaults sections a section inherits from, outermost first. */
function defaultsChain(sections: readonly HaproxySection[], index: number, depth = 0): HaproxySection[] {
  const section = sections[index];
  if (!section || depth > 8) return [];
  const from = fromOf(section);
  let base = -1;
  if (from !== undefined)
    base = sections.findIndex((candidate, at) => at < index && candidate.kind === 'defaults' && candidate.name === from);
  else if (section.kind !== 'defaults') {
    for (let at = index - 1; at >= 0; at -= 1) {
      if (sections[at]?.kind === 'defaults') {
        base = at;
        break;
      }
    }
  }
  const defaults = sections[base];
  return defaults ? [...defaultsChain(sections, base, depth + 1), defaults] : [];
}

interface ProxyLogging {
  /** `global`, or a target written in the proxy; cleared by `no log`. */
  readonly targets: Set<string>;
  format?: 'http' | 'tcp' | 'custom';
  dontLogNormal: boolean;
}

function proxyLogging(sections: readonly HaproxySection[], index: number): ProxyLogging {
  const settings: ProxyLogging = { targets: new Set(), dontLogNormal: false };
  const section = sections[index];
  for (const current of [...defaultsChain(sections, index), ...(section ? [section] : [])]) {
    for (const { words } of current.lines) {
      const [first, second, third] = words;
      if (first === 'log' && second !== undefined) settings.targets.add(second);
      else if (first === 'no' && second === 'log') settings.targets.clear();
      else if (first === 'log-format') settings.format = 'custom';
      else if (first === 'option' && (second === 'httplog' || second === 'httpslog')) settings.format = 'http';
      else if (first === 'option' && second === 'tcplog') settings.format = 'tcp';
      else if (first === 'no' && second === 'option' && (third === 'httplog' || third === 'httpslog') && settings.format === 'http')
        delete settings.format;
      else if (first === 'option' && second === 'dontlog-normal') settings.dontLogNormal = true;
      else if (first === 'no' && second === 'option' && third === 'dontlog-normal') settings.dontLogNormal = false;
    }
  }
  return settings;
}

/** Frontends and listen sections that pass requests on to a server. */
function forwards(section: HaproxySection): boolean {
  if (section.kind !== 'frontend' && section.kind !== 'listen') return false;
  return section.lines.some(
    ({ words }) => words[0] === 'use_backend' || words[0] === 'default_backend' || (section.kind === 'listen' && words[0] === 'server'),
  );
}

function proxyViolations(file: HaproxyConfigFile): Violation[] {
  const violations: Violation[] = [];
  file.sections.forEach((section, index) => {
    if (!forwards(section)) return;
    const address = `${file.address} ${section.kind} ${section.name}`;
    const settings = proxyLogging(file.sections, index);
    const toStdout = [...settings.targets].some((target) => target === 'global' || STANDARD_TARGETS.includes(target));
    if (!toStdout)
      violations.push({
        address,
        message: `forwards requests but logs ${settings.targets.size === 0 ? 'nowhere' : `only to ${[...settings.targets].join(', ')}`}: add "log global" (in the section or its defaults)`,
      });
    if (settings.format === undefined)
      violations.push({
        address,
        message: 'no "option httplog" (or log-format): requests are not logged with client address, method, path and status',
      });
    else if (settings.format === 'tcp')
      violations.push({ address, message: '"option tcplog" logs connections without method, path and status: use "option httplog"' });
    if (settings.dontLogNormal)
      violations.push({ address, message: '"option dontlog-normal": successful requests (the ones an intruder makes) are not logged' });
  });
  return violations;
}

export function haproxyLoggingViolations(files: readonly HaproxyConfigFile[]): Violation[] {
  return files.flatMap((file) => [...globalViolations(file), ...proxyViolations(file)]);
}
