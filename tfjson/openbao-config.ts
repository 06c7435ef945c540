/**
 * Read-only view of the OpenBao server configuration an `openbao` helm_release installs: the
 * configuration the chart writes for its mode (`server.standalone.config`, `server.ha.config` or
 * `server.ha.raft.config`, as the chart's `openbao.config` template picks it), read the way HCL 1
 * decodes it: block labels become nested keys and every block is a list entry, so the HCL form
 * and the JSON form (a mapping in the values, rendered by the chart as JSON) read alike.
 * Enough of HCL's grammar to audit declarations; HashiCorp's parser, in the tests, is the validator.
 */
import { MAX_NESTING, parseJson } from '../config/bounded-parse';
import { chartName, helmReleases, helmValues } from './helm-values';
import { blocks, isObject, valueAt, type JsonObject, type JsonValue, type SynthesizedStack } from './terraform-json';
import { cachedView } from './view-cache';

export const OPENBAO_CHART = 'openbao';

// ---------------------------------------------------------------- a minimal HCL 1 reader

type Token = { readonly kind: 'string' | 'number' | 'word' | 'punct'; readonly text: string };

/** Sticky patterns, matched at a position (slicing the text for each token would cost quadratic time on a large input). */
const UNICODE_ESCAPE = /u([0-9a-fA-F]{4})/y;
const HEREDOC_START = /<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;
const WORD = /(-?[0-9][0-9a-zA-Z.+_-]*|[A-Za-z_][A-Za-z0-9_.-]*)/y;

function matchAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index] ?? '';
    if (/\s/.test(character)) index += 1;
    else if (character === '#' || text.startsWith('//', index))
      index = text.indexOf('\n', index) < 0 ? text.length : text.indexOf('\n', index);
    else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      if (end < 0) throw new Error('unterminated comment');
      index = end + 2;
    } else if (character === '"') {
      let value = '';
      index += 1;
      while (text[index] !== '"') {
        const current = text[index];
        if (current === undefined || current === '\n') throw new Error('unterminated string');
        if (current === '\\') {
          const next = text[index + 1] ?? '';
          const unicode = matchAt(UNICODE_ESCAPE, text, index + 1);
          if (unicode) {
            value += String.fromCharCode(parseInt(unicode[1] ?? '0', 16));
            index += 6;
            continue;
          }
          value += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[next] ?? next;
          index += 2;
        } else {
          value += current;
          index += 1;
        }
      }
      index += 1;
      tokens.push({ kind: 'string', text: value });
    } else if (text.startsWith('<<', index)) {
      const heredoc = matchAt(HEREDOC_START, text, index);
      if (!heredoc) throw new Error('malformed heredoc');
      const lines: string[] = [];
      let cursor = index + heredoc[0].length;
      for (;;) {
        if (cursor >= text.length) throw new Error('unterminated heredoc');
        const end = text.indexOf('\n', cursor);
        const line = text.slice(cursor, end < 0 ? text.length : end);
        cursor = end < 0 ? text.length : end + 1;
        if ((heredoc[1] ? line.trim() : line) === heredoc[2]) break;
        lines.push(line);
      }
      tokens.push({ kind: 'string', text: lines.map((line) => `${line}\n`).join('') });
      index = cursor;
    } else if ('{}[]=,:'.includes(character)) {
      tokens.push({ kind: 'punct', text: character });
      index += 1;
    } else {
      const word = matchAt(WORD, text, index);
      if (!word) throw new Error(`unexpected character ${JSON.stringify(character)}`);
      tokens.push({ kind: /^-?[0-9]/.test(word[0]) ? 'number' : 'word', text: word[0] });
      index += word[0].length;
    }
  }
  return tokens;
}

class HclReader {
  private position = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (!token) throw new Error('unexpected end of file');
    this.position += 1;
    return token;
  }

  private skip(text: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'punct' || token.text !== text) return false;
    this.position += 1;
    return true;
  }

  /** Blocks and values open around the current token (bounded: a hostile input must not exhaust the stack). */
  private depth = 0;

  private nest<T>(read: () => T): T {
    if (this.depth >= MAX_NESTING) throw new Error(`nested deeper than ${MAX_NESTING} levels`);
    this.depth += 1;
    try {
      return read();
    } finally {
      this.depth -= 1;
    }
  }

  /** `key = value` attributes and `type "label" ... { body }` blocks, up to `}` (nested) or the end. */
  body(nested: boolean): JsonObject {
    const result: JsonObject = {};
    for (;;) {
      this.skip(',');
      const token = this.peek();
      if (!token) {
        if (nested) throw new Error('unterminated block');
        return result;
      }
      if (nested && token.kind === 'punct' && token.text === '}') {
        this.position += 1;
        return result;
      }
      const keys: string[] = [];
      while (this.peek()?.kind === 'word' || this.peek()?.kind === 'string') keys.push(this.next().text);
      const [type, ...labels] = keys;
      if (type === undefined) throw new Error(`unexpected ${JSON.stringify(token.text)}`);
      if (this.skip('=') || this.skip(':')) {
        if (labels.length > 0) throw new Error(`unexpected ${JSON.stringify(labels[0])} after ${type}`);
        result[type] = this.value();
      } else if (this.skip('{')) {
        let entry: JsonObject = this.nest(() => this.body(true));
        for (const label of [...labels].reverse()) entry = { [label]: [entry] };
        const existing = result[type];
        result[type] = [...(Array.isArray(existing) ? existing : []), entry];
      } else throw new Error(`expected "=" or "{" after ${keys.join(' ')}`);
    }
  }

  value(): JsonValue {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number.isNaN(Number(token.text)) ? token.text : Number(token.text);
    if (token.kind === 'word') return token.text === 'true' ? true : token.text === 'false' ? false : token.text;
    if (token.text === '{') return this.nest(() => this.body(true));
    if (token.text === '[') {
      const items: JsonValue[] = [];
      while (!this.skip(']')) {
        items.push(this.nest(() => this.value()));
        this.skip(',');
      }
      return items;
    }
    throw new Error(`unexpected ${JSON.stringify(token.text)}`);
  }
}

/** An HCL 1 (or JSON) configuration as HCL 1 decodes it; throws on a syntax error. */
export function parseHcl(text: string): JsonObject {
  if (text.trimStart().startsWith('{')) {
    const parsed = parseJson(text);
    if (!isObject(parsed)) throw new Error('not a JSON object');
    return parsed;
  }
  return new HclReader(tokenize(text)).body(false);
}

// ---------------------------------------------------------------- audit devices

export interface AuditDevice {
  /** Device type (first label): `file`, `socket`, `syslog`, ... */
  readonly type: string;
  /** Mount path (second label). */
  readonly path: string;
  readonly options: JsonObject;
}

/** The declarative audit devices of a server configuration (`audit "<type>" "<path>" { options { ... } }`). */
export function auditDevices(config: JsonObject): AuditDevice[] {
  const devices: AuditDevice[] = [];
  for (const entry of blocks(config.audit)) {
    for (const [type, byPath] of Object.entries(entry)) {
      for (const paths of blocks(byPath)) {
        for (const [path, bodies] of Object.entries(paths)) {
          for (const body of blocks(bodies))
            devices.push({ type, path, options: Object.assign({}, ...blocks(body.options)) as JsonObject });
        }
      }
    }
  }
  return devices;
}

// ---------------------------------------------------------------- the chart's server configuration

export interface OpenBaoServerConfig {
  readonly address: string;
  /** The chart's mode: `standalone`, `ha`, `dev`, or `external` (no server). */
  readonly mode: 'standalone' | 'ha' | 'dev' | 'external' | 'none';
  /** The values path the configuration was read from. */
  readonly path?: string;
  readonly config?: JsonObject;
  /** Why the configuration could not be read. */
  readonly error?: string;
}

function flag(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** The server configuration of every `openbao` release of the stack, as the chart picks it for its mode. */
export const openbaoServerConfigs = cachedView(
  'stack',
  function openbaoServerConfigs(stack: SynthesizedStack): readonly OpenBaoServerConfig[] {
    return helmReleases(stack)
      .filter((release) => chartName(release) === OPENBAO_CHART)
      .map((release): OpenBaoServerConfig => {
        const { address } = release;
        const { values, errors } = helmValues(release);
        if (errors.length > 0) return { address, mode: 'none', error: `values cannot be read (${errors.join('; ')})` };
        // The chart's openbao.mode template; unset flags take the chart defaults (server and global enabled, standalone "-").
        const serverEnabled =
          flag(valueAt(values, 'server.enabled')) === 'true' ||
          (['', '-'].includes(flag(valueAt(values, 'server.enabled'))) && flag(valueAt(values, 'global.enabled')) !== 'false');
        const external =
          valueAt(values, 'injector.externalVaultAddr') ||
          valueAt(values, 'global.externalVaultAddr') ||
          valueAt(values, 'global.externalBaoAddr');
        if (external || !serverEnabled) return { address, mode: 'external' };
        if (flag(valueAt(values, 'server.dev.enabled')) === 'true') return { address, mode: 'dev' };
        const ha = flag(valueAt(values, 'server.ha.enabled')) === 'true';
        if (!ha && !['', '-', 'true'].includes(flag(valueAt(values, 'server.standalone.enabled')))) return { address, mode: 'none' };
        const path = ha
          ? flag(valueAt(values, 'server.ha.raft.enabled')) === 'true'
            ? 'server.ha.raft.config'
            : 'server.ha.config'
          : 'server.standalone.config';
        const mode = ha ? 'ha' : 'standalone';
        const raw = valueAt(values, path);
        if (isObject(raw)) return { address, mode, path, config: raw };
        if (typeof raw !== 'string' || raw.trim() === '')
          return { address, mode, path, error: `${path} is not set (the chart's default configuration declares no audit device)` };
        try {
          return { address, mode, path, config: parseHcl(raw) };
        } catch (error) {
          return { address, mode, path, error: `${path} cannot be read as HCL: ${error instanceof Error ? error.message : String(error)}` };
        }
      });
  },
);
