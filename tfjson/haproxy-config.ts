/**
 * Read-only view of HAProxy configurations carried in ConfigMaps: sections, ACLs, conditions,
 * and a three-valued evaluation of path ACLs against a request path (`yes`, `no`, or `maybe`
 * for anything that does not depend on the path alone: methods, headers, rates, addresses).
 * Enough of HAProxy's grammar to audit routing; not a validator (`haproxy -c` is, in the tests).
 */
import { configMapFiles, type ConfigMapFile } from './synapse-config';
import type { SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export interface HaproxyLine {
  /** 1-based line number in the file. */
  readonly number: number;
  readonly words: readonly string[];
}

export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`, `resolvers`, ... */
  readonly kind: string;
  readonly name: string;
  /** The words of the section's own line (`frontend public from base`). */
  readonly header?: readonly string[];
  readonly lines: readonly HaproxyLine[];
}

export interface HaproxyConfigFile extends ConfigMapFile {
  readonly sections: readonly HaproxySection[];
}

const SECTION_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'program',
  'http-errors',
  'ring',
  'mailers',
  'cache',
  'crt-store',
  'traces',
  'log-forward',
]);

const ESCAPED: Readonly<Record<string, string>> = { ' ': ' ', '\\': '\\', '"': '"', "'": "'", '#': '#', r: '\r', n: '\n', t: '\t' };

/** A backslash sequence at `index` as HAProxy reads it: the text it stands for and its length. */
function escapeAt(line: string, index: number): [string, number] {
  const next = line[index + 1] ?? '';
  const simple = ESCAPED[next];
  if (simple !== undefined) return [simple, 2];
  const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(index + 1));
  if (hex) return [String.fromCharCode(parseInt(hex[1] ?? '0', 16)), 4];
  // Anything else is not an escape: the backslash stays (regexes keep their \. and \d).
  return ['\\', 1];
}

/** Splits one line into words as HAProxy does: whitespace, quotes, backslash escapes, `#` comments. */
export function haproxyWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] ?? '';
    if (quote === "'") {
      if (character === quote) quote = undefined;
      else current += character;
      continue;
    }
    if (character === '\\') {
      const [text, length] = escapeAt(line, index);
      current += text;
      index += length - 1;
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (character === quote) quote = undefined;
      else current += character;
      continue;
    }
    if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
    } else if (character === '#' && !inWord) break;
    else if (/\s/.test(character)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

export function parseHaproxyConfig(text: string): HaproxySection[] {
  const sections: { kind: string; name: string; header: readonly string[]; lines: HaproxyLine[] }[] = [];
  text.split('\n').forEach((raw, index) => {
    const words = haproxyWords(raw);
    const first = words[0];
    if (first === undefined) return;
    if (SECTION_KEYWORDS.has(first)) sections.push({ kind: first, name: words[1] ?? '', header: words, lines: [] });
    else sections[sections.length - 1]?.lines.push({ number: index + 1, words });
  });
  return sections;
}

/** ConfigMap files that are HAProxy configurations (`*.cfg` with a frontend or listen section, or named after haproxy). */
export const haproxyConfigFiles = cachedView('stack', function haproxyConfigFiles(stack: SynthesizedStack): readonly HaproxyConfigFile[] {
  return configMapFiles(stack).flatMap((file) => {
    if (!/\.cfg$/.test(file.file) && !/haproxy/i.test(file.file)) return [];
    const sections = parseHaproxyConfig(file.text);
    return sections.some((section) => section.kind === 'frontend' || section.kind === 'listen') ? [{ ...file, sections }] : [];
  });
});

// ---------------------------------------------------------------- conditions

export interface ConditionTerm {
  readonly negated: boolean;
  /** A named ACL, or the words of an anonymous `{ ... }` ACL. */
  readonly acl: string | readonly string[];
}

/** A condition in disjunctive form: a list of AND groups (`a b || c` = [[a, b], [c]]). */
export interface Condition {
  readonly keyword: 'if' | 'unless';
  readonly groups: readonly (readonly ConditionTerm[])[];
}

/** Splits a rule's words at `if`/`unless`: the action part and its condition (if any). */
export function splitCondition(words: readonly string[]): { action: readonly string[]; condition?: Condition } {
  const at = words.findIndex((word) => word === 'if' || word === 'unless');
  if (at < 0) return { action: words };
  const keyword = words[at] as 'if' | 'unless';
  const groups: ConditionTerm[][] = [[]];
  let negated = false;
  for (let index = at + 1; index < words.length; index += 1) {
    let word = words[index] ?? '';
    if (word === '||' || word === 'or') {
      groups.push([]);
      continue;
    }
    if (word === '!') {
      negated = !negated;
      continue;
    }
    if (word.startsWith('!')) {
      negated = !negated;
      word = word.slice(1);
    }
    let acl: string | string[] = word;
    if (word === '{') {
      const close = words.indexOf('}', index + 1);
      const end = close < 0 ? words.length : close;
      acl = words.slice(index + 1, end);
      index = end;
    }
    groups[groups.length - 1]?.push({ negated, acl });
    negated = false;
  }
  return { action: words.slice(0, at), condition: { keyword, groups: groups.filter((group) => group.length > 0) } };
}

// ---------------------------------------------------------------- path matching

export type Tri = 'yes' | 'no' | 'maybe';

const PATH_FETCH_METHOD: Readonly<Record<string, string>> = {
  path: 'str',
  path_beg: 'beg',
  path_end: 'end',
  path_sub: 'sub',
  path_dir: 'dir',
  path_reg: 'reg',
  url: 'str',
  url_beg: 'beg',
  url_end: 'end',
  url_sub: 'sub',
  url_dir: 'dir',
  url_reg: 'reg',
  pathq: 'str',
};

function regexMatches(pattern: string, subject: string, ignoreCase: boolean): Tri {
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '').test(subject) ? 'yes' : 'no';
  } catch {
    return 'maybe';
  }
}

/** Whether one ACL criterion (`fetch [flags] patterns...`) matches a request for `path`. */
export function criterionMatches(criterion: readonly string[], path: string): Tri {
  const [fetch = '', ...rest] = criterion;
  const [base = '', ...converters] = fetch.split(',');
  let method = PATH_FETCH_METHOD[base];
  if (method === undefined) return 'maybe';
  let ignoreCase = converters.includes('lower');
  if (converters.some((converter) => converter !== 'lower')) return 'maybe';
  const patterns: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    const word = rest[index] ?? '';
    if (patterns.length === 0 && word.startsWith('-') && word !== '-') {
      if (word === '-i') ignoreCase = true;
      else if (word === '-m') method = rest[++index] ?? method;
      else if (word === '-f' || word === '-M') return 'maybe';
      else if (word === '--') {
        patterns.push(...rest.slice(index + 1));
        break;
      }
      continue;
    }
    patterns.push(word);
  }
  const subject = ignoreCase ? path.toLowerCase() : path;
  let result: Tri = 'no';
  for (const raw of patterns) {
    const pattern = ignoreCase && method !== 'reg' ? raw.toLowerCase() : raw;
    let matched: Tri;
    switch (method) {
      case 'str':
        matched = subject === pattern ? 'yes' : 'no';
        break;
      case 'beg':
        matched = subject.startsWith(pattern) ? 'yes' : 'no';
        break;
      case 'end':
        matched = subject.endsWith(pattern) ? 'yes' : 'no';
        break;
      case 'sub':
        matched = subject.includes(pattern) ? 'yes' : 'no';
        break;
      case 'dir': {
        const segment = pattern.replace(/^\/+|\/+$/g, '');
        matched = `/${subject}/`.replace(/\/+/g, '/').includes(`/${segment}/`) ? 'yes' : 'no';
        break;
      }
      case 'reg':
        matched = regexMatches(pattern, path, ignoreCase);
        break;
      case 'found':
        matched = 'yes';
        break;
      default:
        matched = 'maybe';
    }
    if (matched === 'yes') return 'yes';
    if (matched === 'maybe') result = 'maybe';
  }
  return result;
}

/** Whether the named ACL (every `acl <name>` line of the section, OR-ed as HAProxy does) matches `path`. */
export function aclMatches(acls: ReadonlyMap<string, readonly (readonly string[])[]>, acl: string | readonly string[], path: string): Tri {
  if (typeof acl !== 'string') return criterionMatches(acl, path);
  const criteria = acls.get(acl);
  // Predefined ACLs (TRUE, METH_GET, HTTP, ...) and undefined names do not depend on the path.
  if (!criteria) return acl === 'FALSE' ? 'no' : 'maybe';
  let result: Tri = 'no';
  for (const criterion of criteria) {
    const matched = criterionMatches(criterion, path);
    if (matched === 'yes') return 'yes';
    if (matched === 'maybe') result = 'maybe';
  }
  return result;
}

/** The ACL definitions of a section: name -> criteria. */
export function aclsOf(section: HaproxySection): Map<string, string[][]> {
  const acls = new Map<string, string[][]>();
  for (const line of section.lines) {
    if (line.words[0] !== 'acl' || line.words.length < 3) continue;
    const name = line.words[1] ?? '';
    acls.set(name, [...(acls.get(name) ?? []), line.words.slice(2)]);
  }
  return acls;
}

function not(value: Tri): Tri {
  return value === 'yes' ? 'no' : value === 'no' ? 'yes' : 'maybe';
}

/** Whether a condition may hold for a request for `path` (absent condition: always). */
export function conditionMatches(
  acls: ReadonlyMap<string, readonly (readonly string[])[]>,
  condition: Condition | undefined,
  path: string,
): Tri {
  if (!condition) return 'yes';
  let any: Tri = 'no';
  for (const group of condition.groups) {
    let all: Tri = 'yes';
    for (const term of group) {
      const matched = aclMatches(acls, term.acl, path);
      const value = term.negated ? not(matched) : matched;
      if (value === 'no') {
        all = 'no';
        break;
      }
      if (value === 'maybe') all = 'maybe';
    }
    if (all === 'yes') {
      any = 'yes';
      break;
    }
    if (all === 'maybe') any = 'maybe';
  }
  return condition.keyword === 'if' ? any : not(any);
}

// ---------------------------------------------------------------- containment

/** The literal start of an anchored regex (`^/_matrix/client/(r0|v3)/login$` -> `/_matrix/client/`), or undefined. */
function regexLiteralPrefix(pattern: string): string | undefined {
  if (!pattern.startsWith('^')) return undefined;
  // A top-level alternative would escape the anchor.
  let depth = 0;
  for (let index = 1; index < pattern.length; index += 1) {
    const character = pattern[index];
    if (character === '\\') index += 1;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (character === '|' && depth === 0) return undefined;
  }
  let prefix = '';
  for (let index = 1; index < pattern.length; index += 1) {
    const character = pattern[index] ?? '';
    if (character === '\\') {
      const next = pattern[index + 1] ?? '';
      if (!/[./\-_~:@]/.test(next)) break;
      prefix += next;
      index += 1;
    } else if ('?*{'.includes(character)) return prefix.slice(0, -1);
    else if ('.[(+^$|)}]'.includes(character)) break;
    else prefix += character;
  }
  return prefix;
}

/** Prefixes every path matched by a criterion starts with (one per pattern), or undefined if unknown. */
export function pathPrefixes(criterion: readonly string[]): string[] | undefined {
  const [fetch = '', ...patterns] = criterion;
  if (patterns.some((word) => word.startsWith('-'))) return undefined;
  const method = PATH_FETCH_METHOD[fetch];
  if (method === 'str' || method === 'beg') return [...patterns];
  if (method === 'reg') {
    const prefixes = patterns.map(regexLiteralPrefix);
    return prefixes.every((prefix): prefix is string => prefix !== undefined) ? prefixes : undefined;
  }
  return undefined;
}

/**
 * Whether every path the ACL `name` matches is also matched by one of the `admitted` ACLs,
 * proven by prefixes: each of its patterns starts with an admitted `path_beg` prefix (or is an
 * admitted exact path).
 */
export function aclImpliedBy(
  acls: ReadonlyMap<string, readonly (readonly string[])[]>,
  name: string,
  admitted: readonly string[],
): boolean {
  if (admitted.includes(name)) return true;
  const criteria = acls.get(name);
  if (!criteria || criteria.length === 0) return false;
  const covering = admitted.flatMap((acl) => acls.get(acl) ?? []);
  return criteria.every((criterion) => {
    const prefixes = pathPrefixes(criterion);
    return (
      prefixes !== undefined &&
      prefixes.every((prefix) =>
        covering.some(([fetch = '', ...patterns]) => {
          if (patterns.some((word) => word.startsWith('-'))) return false;
          const method = PATH_FETCH_METHOD[fetch];
          if (method === 'beg') return patterns.some((pattern) => prefix.startsWith(pattern));
          return method === 'str' && criterion[0] !== undefined && PATH_FETCH_METHOD[criterion[0]] === 'str' && patterns.includes(prefix);
        }),
      )
    );
  });
}

/** What one path pattern of an ACL matches: exactly this path, or every path that starts with it. */
export interface PathPattern {
  readonly kind: 'exact' | 'prefix';
  readonly path: string;
}

/**
 * The paths a criterion matches, as exact paths and prefixes, when that can be read from it
 * alone: `path` (exact), `path_beg` (prefix) and anchored `path_reg` (the regex's literal start
 * as a prefix), without flags. Undefined for anything else (other fetches, converters, flags,
 * pattern files), which therefore proves nothing.
 */
export function pathPatterns(criterion: readonly string[]): PathPattern[] | undefined {
  const [fetch = '', ...patterns] = criterion;
  if (patterns.length === 0 || patterns.some((word) => word.startsWith('-'))) return undefined;
  if (fetch === 'path') return patterns.map((path) => ({ kind: 'exact', path }));
  if (fetch === 'path_beg') return patterns.map((path) => ({ kind: 'prefix', path }));
  if (fetch === 'path_reg') {
    const read = patterns.map((pattern): PathPattern | undefined => {
      // A regex of only literal characters between ^ and $ matches one path.
      const whole = /^\^((?:[^\\.[\]()*+?{}|^$]|\\[./\-_~:@])*)\$$/.exec(pattern);
      if (whole) return { kind: 'exact', path: (whole[1] ?? '').replace(/\\(.)/g, '$1') };
      const prefix = regexLiteralPrefix(pattern);
      return prefix === undefined ? undefined : { kind: 'prefix', path: prefix };
    });
    return read.every((pattern): pattern is PathPattern => pattern !== undefined) ? read : undefined;
  }
  return undefined;
}

/** The `host[:port]` of each `server` line of a section (its third word). */
export function serverAddresses(section: HaproxySection): string[] {
  return section.lines.filter((line) => line.words[0] === 'server' && line.words[2] !== undefined).map((line) => line.words[2] ?? '');
}

/**
 * A TLS front inside a pod: every server it forwards to is on loopback (the program beside it).
 * The gateway forwards to Services, never to loopback, so a front is never mistaken for it.
 */
function isLoopbackFront(file: HaproxyConfigFile): boolean {
  const servers = file.sections.filter((section) => section.kind === 'backend' || section.kind === 'listen').flatMap(serverAddresses);
  return servers.length > 0 && servers.every((address) => /^(127\.0\.0\.1|\[::1\]):[0-9]+$/.test(address));
}

/** The HAProxy configurations of the stack that are a gateway (not a pod's TLS front). */
export const gatewayConfigFiles = cachedView('stack', function gatewayConfigFiles(stack: SynthesizedStack): readonly HaproxyConfigFile[] {
  return haproxyConfigFiles(stack).filter((file) => !isLoopbackFront(file));
});
