/**
 * LOG-01 for HAProxy: the global section logs to stdout (or stderr) at info or more verbose,
 * and every proxy that forwards requests logs them through `log global` with a custom
 * `log-format` naming the client address, method, path and status, and never the query string:
 * bearer tokens travel there (LiveKit's join token, the Matrix OpenID token, legacy
 * `access_token` parameters), so `option httplog`, whose request line carries it, fails.
 * Proxy settings are read as HAProxy applies them: its defaults section (the last one before it,
 * or the one named by `from`), then its own lines; the last format line wins.
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

/** Where the format to use is written, for the messages. */
const FORMAT_SOURCE = 'render/gateway/request-log.ts';

/** Fields a request log must name: what it says, and the fields that say it. */
const REQUIRED_FIELDS: readonly { readonly what: string; readonly fields: readonly string[] }[] = [
  { what: 'the client address (%ci)', fields: ['ci'] },
  { what: 'the method (%HM)', fields: ['HM'] },
  { what: 'the path without query (%HPO or %HP)', fields: ['HPO', 'HP'] },
  { what: 'the status (%ST)', fields: ['ST'] },
];

/** Fields that carry the query string: the request line, the URI, the query itself. */
const QUERY_FIELDS = ['r', 'HU', 'HQ'];

/** Sample fetches that carry the query string or one of its parameters. */
const QUERY_FETCHES = ['url', 'pathq', 'query', 'capture.req.uri', 'url_param', 'urlp', 'urlp_val'];

interface FormatField {
  /** As written (`%{+Q}r`, `%[url]`). */
  readonly text: string;
  /** A field's name (`r`, `HPO`), or the first fetch of a sample expression (`url`). */
  readonly name: string;
  readonly expression: boolean;
}

/** The fields of a log-format string as HAProxy reads them: `%name` (letters only), `%{flags}name`, `%[expression]`; `%%` is a percent sign. */
function formatFields(format: string): FormatField[] {
  const fields: FormatField[] = [];
  for (const match of format.matchAll(/%(%|(?:\{[^}]*\})?(?:\[([^\]]*)\]|([A-Za-z]+)))/g)) {
    if (match[1] === '%') continue;
    if (match[2] !== undefined) fields.push({ text: match[0], name: /^\s*([A-Za-z0-9_.]+)/.exec(match[2])?.[1] ?? '', expression: true });
    else if (match[3] !== undefined) fields.push({ text: match[0], name: match[3], expression: false });
  }
  return fields;
}

interface ProxyLogging {
  /** `global`, or a target written in the proxy; cleared by `no log`. */
  readonly targets: Set<string>;
  /** The last format line: an option (`httplog`, `httpslog`, `tcplog`) or a custom format. */
  format?: { readonly kind: 'option'; readonly option: string } | { readonly kind: 'custom'; readonly text: string; readonly line: number };
  dontLogNormal: boolean;
}

function proxyLogging(sections: readonly HaproxySection[], index: number): ProxyLogging {
  const settings: ProxyLogging = { targets: new Set(), dontLogNormal: false };
  const section = sections[index];
  for (const current of [...defaultsChain(sections, index), ...(section ? [section] : [])]) {
    for (const { words, number } of current.lines) {
      const [first, second, third] = words;
      if (first === 'log' && second !== undefined) settings.targets.add(second);
      else if (first === 'no' && second === 'log') settings.targets.clear();
      else if (first === 'log-format') settings.format = { kind: 'custom', text: words.slice(1).join(' '), line: number };
      else if (first === 'option' && (second === 'httplog' || second === 'httpslog' || second === 'tcplog'))
        settings.format = { kind: 'option', option: second };
      else if (first === 'no' && second === 'option' && settings.format?.kind === 'option' && third === settings.format.option)
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

function formatViolations(address: string, format: ProxyLogging['format']): Violation[] {
  if (format === undefined)
    return [
      {
        address,
        message: `no request log format: requests are not logged with client address, method, path and status (use the log-format of ${FORMAT_SOURCE})`,
      },
    ];
  if (format.kind === 'option' && format.option === 'tcplog')
    return [
      { address, message: `"option tcplog" logs connections without method, path and status: use the log-format of ${FORMAT_SOURCE}` },
    ];
  if (format.kind === 'option')
    return [
      {
        address,
        message: `"option ${format.option}" logs each request's full URI with its query string, where bearer tokens travel (access_token=...): use the log-format of ${FORMAT_SOURCE}`,
      },
    ];
  const fields = formatFields(format.text);
  const violations: Violation[] = [];
  const missing = REQUIRED_FIELDS.filter(
    (required) => !fields.some((field) => !field.expression && required.fields.includes(field.name)),
  ).map((required) => required.what);
  if (missing.length > 0)
    violations.push({
      address,
      message: `the log-format (line ${format.line}) does not name ${missing.join(', ')}: use the log-format of ${FORMAT_SOURCE}`,
    });
  const leaking = fields
    .filter((field) => (field.expression ? QUERY_FETCHES : QUERY_FIELDS).includes(field.name))
    .map((field) => field.text);
  if (leaking.length > 0)
    violations.push({
      address,
      message: `the log-format (line ${format.line}) logs the query string (${leaking.join(', ')}), where bearer tokens travel (access_token=...): log the path with %HPO, as ${FORMAT_SOURCE} does`,
    });
  return violations;
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
    violations.push(...formatViolations(address, settings.format));
    if (settings.dontLogNormal)
      violations.push({ address, message: '"option dontlog-normal": successful requests (the ones an intruder makes) are not logged' });
  });
  return violations;
}

export function haproxyLoggingViolations(files: readonly HaproxyConfigFile[]): Violation[] {
  return files.flatMap((file) => [...globalViolations(file), ...proxyViolations(file)]);
}
