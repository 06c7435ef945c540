/**
 * Finds secret-looking literals in synthesized JSON and rendered config text, by three
 * independent heuristics: a secret-like key holding a literal value, a known credential
 * format, and a high-entropy token. Paths to mounted files and cdktf references are not
 * secrets; hashes are recognised by their context (image digests, config checksums).
 *
 * Config text is read line by line (`key: value`, `key = value`, `key value`), except a JSON
 * document, which is read value by value with the key each value belongs to (a list's items
 * belong to the list's key). In a Keycloak realm (a JSON document with a string `realm`) a
 * value may be one of the two references Keycloak resolves at import, and nothing else of the
 * kind: `${NAME}`, an environment variable of the start program with an upper-case name, and
 * `${vault.<key>}`, an entry of its file vault (written `$${...}` in Terraform JSON, which
 * escapes `${`).
 */
import { ParseError, parseJson } from '../../config/bounded-parse';
import { jsonTokens } from '../../tfjson/json-tokens';
import { templateLiteral } from '../../tfjson/terraform-template';

export interface SecretHit {
  /** JSON path or `file:line` of the literal. */
  readonly location: string;
  readonly reason: string;
  /** A redacted preview: never the value itself. */
  readonly preview: string;
}

const SECRET_KEY =
  /(^|[_.\-/ ])(pass|passwd|password|passphrase|secret|token|api[_-]?key|private[_-]?key|credentials?|pepper|client[_-]?secret|auth[_-]?key|access[_-]?key|signing[_-]?key|macaroon[_-]?secret[_-]?key|form[_-]?secret|shared[_-]?secret)$/i;
/** Secret directives of the servers we configure (Redis, OpenLDAP, Keycloak), whose names do not follow the pattern above. */
const KNOWN_SECRET_DIRECTIVES = /^(requirepass|masterauth|rootpw|olcrootpw|bindpw|userpassword|credentials|bindcredential|secretdata)$/i;
/** The references a Keycloak realm import resolves (as the file is delivered, after Terraform's escapes). */
const KEYCLOAK_REFERENCE = /^\$\{([A-Z][A-Z0-9_]*|vault\.[A-Za-z0-9][A-Za-z0-9_-]*)\}$/;
/** Keys that name where a secret is, not the secret itself. */
const LOCATION_KEY = /(_path|_file|_files|_dir|_directory|_name|_ref|_mode)$|[-_]from[-_]secret$|^(secret_name|secretname|secretref)$/i;

/** Each format with `hint`: text every match of it contains (case-sensitive), so one pass over a value rules them all out (most values hold none). */
const KNOWN_FORMATS: readonly { readonly name: string; readonly pattern: RegExp; readonly hint: RegExp }[] = [
  { name: 'PEM private key', pattern: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/, hint: /PRIVATE KEY/ },
  { name: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, hint: /AKIA|ASIA/ },
  { name: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, hint: /eyJ/ },
  { name: 'URL with embedded credentials', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:[^/\s@"']+@/i, hint: /:\/\// },
  { name: 'Synapse signing key', pattern: /\bed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{40,}/, hint: /ed25519 a_/ },
  { name: 'Synapse access token', pattern: /\bsyt_[A-Za-z0-9]+_[A-Za-z0-9]{20}_[A-Za-z0-9]{6}\b/, hint: /syt_/ },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, hint: /gh[pousr]_/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, hint: /xox/ },
  { name: 'Redis ACL password', pattern: /\buser \S+ .*(^|\s)>[^\s]+/, hint: /user / },
  { name: 'OpenBao/Vault token', pattern: /\b(hv[sbr]|s|b|r)\.[A-Za-z0-9_-]{24,}\b/, hint: /[sbr]\.[A-Za-z0-9_-]{24}/ },
];
const KNOWN_FORMAT_HINT = new RegExp(KNOWN_FORMATS.map((format) => format.hint.source).join('|'));
/** A run of key characters long enough to be a high-entropy token; most values have none. */
const LONG_TOKEN = /[A-Za-z0-9+/_-]{24,}/;

/** Contexts where a long token is an address or a content hash, not a secret. */
const NON_SECRET_CONTEXTS: readonly RegExp[] = [/\$\{[^}]*\}/g, /@sha256:[0-9a-f]{64}/g, /\bsha256:[0-9a-f]{64}/g];
const HASH_KEYS = new Set(['matrix.sovereign/config-checksum', 'uniqueId']);
/** Terraform's own references between resources: a list of addresses such as `kubernetes_manifest.store_1A2B3C4D`. */
function isAddressList(key: string, value: unknown): boolean {
  return (
    key === 'depends_on' &&
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' && /^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+$/.test(item))
  );
}

export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function redact(value: string): string {
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…(${value.length} chars)`;
}

/**
 * How a value is read: `terraform`, where `${...}` is a cdktf reference (Terraform JSON) or a
 * placeholder of the program reading the file (text) and a path names a mounted file;
 * `keycloak`, literal text of a Keycloak realm, where only KEYCLOAK_REFERENCE is resolved.
 */
type References = 'terraform' | 'keycloak';

function isHarmlessLiteral(value: string, references: References): boolean {
  const trimmed = value.trim();
  // A realm has no path options or placeholders of its own: anything but its two references is the value itself.
  if (references === 'keycloak') return trimmed === '' || KEYCLOAK_REFERENCE.test(trimmed);
  return (
    trimmed === '' ||
    trimmed.startsWith('/') ||
    trimmed.startsWith('./') ||
    /^\$\{[^}]+\}$/.test(trimmed) ||
    // A shell command substitution computes the value at run time (e.g. a token from a login).
    /^"?\$\([^)]*\)"?$/.test(trimmed) ||
    /^\{\{[^}]+\}\}$/.test(trimmed) ||
    /^(true|false|null|none|required|optional)$/i.test(trimmed)
  );
}

/** Identifiers such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: separated single-case words, each optionally numbered. */
function isIdentifier(token: string): boolean {
  const segments = token.split(/[_-]+/).filter((segment) => segment !== '');
  return segments.length >= 3 && segments.every((segment) => /^([A-Z]+[0-9]*|[a-z]+[0-9]*|[0-9]+)$/.test(segment));
}

/** Tokens that look random enough to be keys: long, from a key alphabet, high entropy. */
function highEntropyTokens(text: string): string[] {
  // Scrubbing only blanks text out, so it never makes a long run where there was none.
  if (!LONG_TOKEN.test(text)) return [];
  let scrubbed = text;
  for (const pattern of NON_SECRET_CONTEXTS) scrubbed = scrubbed.replace(pattern, ' ');
  const tokens = (scrubbed.match(/[A-Za-z0-9+/_-]{24,}={0,2}/g) ?? []).flatMap((token) =>
    // A path of lower-case names (`matrix/data/hs001/synapse-database`) is judged name by name;
    // keys in base64 mix cases, so they stay whole.
    token.includes('/') && token.split('/').every((segment) => /^[a-z0-9]+([._-][a-z0-9]+)*$/.test(segment))
      ? token.split('/').filter((segment) => segment.length >= 24)
      : [token],
  );
  return tokens.filter((token) => {
    if (/^[a-z_.-]+$/i.test(token) || /^[0-9]+$/.test(token) || isIdentifier(token)) return false;
    const hasDigit = /[0-9]/.test(token);
    const hasLetter = /[A-Za-z]/.test(token);
    if (!hasDigit || !hasLetter) return false;
    const isHex = /^[0-9a-f]+$/i.test(token);
    return isHex ? token.length >= 32 && shannonEntropy(token) >= 3.3 : shannonEntropy(token) >= 4.0;
  });
}

/** `raw` is the whole line or string the value came from: credential formats span key and value. */
function scanValue(key: string, value: string, location: string, raw: string = value, references: References = 'terraform'): SecretHit[] {
  const hits: SecretHit[] = [];
  if ((SECRET_KEY.test(key) || KNOWN_SECRET_DIRECTIVES.test(key)) && !LOCATION_KEY.test(key) && !isHarmlessLiteral(value, references)) {
    hits.push({ location, reason: `secret-like key "${key}" holds a literal value`, preview: redact(value) });
  }
  if (KNOWN_FORMAT_HINT.test(raw)) {
    for (const format of KNOWN_FORMATS) {
      if (format.pattern.test(raw)) hits.push({ location, reason: format.name, preview: redact(value) });
    }
  }
  if (!HASH_KEYS.has(key)) {
    // Object names may end in a short content hash (e.g. a Job per spec) and construct paths join
    // readable ids: judge each part on its own.
    const parts =
      key === 'name' && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value)
        ? value.split('-')
        : // cdktf's construct paths (`//.metadata.path`) and URL paths: slash-separated names.
          key === 'path' && value.includes('/') && /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(value)
          ? value.split(/[/_-]/)
          : // A file system path under a location key (a kubeconfig's config_path): judged directory by
            // directory, so a temporary directory's random suffix is not a key, but a key hidden as one name still is.
            LOCATION_KEY.test(key) && /^(\/|\.\/|~\/)[A-Za-z0-9_.~/-]*$/.test(value)
            ? value.split('/')
            : [value];
    for (const token of parts.flatMap(highEntropyTokens)) hits.push({ location, reason: 'high-entropy token', preview: redact(token) });
  }
  return hits;
}

/** A scalar of a JSON document: the key it belongs to, its text, and its line. */
interface JsonScalar {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/**
 * The scalars of a JSON document in order, each with its key: its own, the list's for a list
 * item, and for a `value` field the key of the object holding it (`"credentials": [{ "type":
 * "password", "value": ... }]`). The text must be valid JSON.
 */
function jsonScalars(text: string): JsonScalar[] {
  const scalars: JsonScalar[] = [];
  const open: { readonly list: boolean; readonly key: string }[] = [];
  let pendingKey: string | undefined;
  const keyHere = (): string => {
    const container = open[open.length - 1];
    if (pendingKey === undefined) return container?.list ? container.key : '';
    return pendingKey === 'value' && container?.key ? container.key : pendingKey;
  };
  for (const token of jsonTokens(text)) {
    if (token.kind === 'key' && pendingKey === undefined && open[open.length - 1]?.list === false) pendingKey = token.value;
    else if (token.kind === 'key' || token.kind === 'string' || token.kind === 'number') {
      scalars.push({ key: keyHere(), value: token.value, line: token.line });
      pendingKey = undefined;
    } else if (token.kind === 'open') {
      open.push({ list: token.list, key: keyHere() });
      pendingKey = undefined;
    } else {
      if (token.kind === 'close') open.pop();
      pendingKey = undefined;
    }
  }
  return scalars;
}

/** A JSON document (an object or a list, within the nesting limit), or undefined. */
function jsonDocument(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    throw error;
  }
}

const isRealm = (value: unknown) =>
  typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).realm === 'string';

/** Scans a JSON document value by value; `template`: the text is a Terraform template (a string of Terraform JSON). */
function scanJsonText(text: string, file: string, document: unknown, template: boolean): SecretHit[] {
  const realm = isRealm(document) || (Array.isArray(document) && document.some(isRealm));
  const lines = text.split('\n');
  return jsonScalars(text).flatMap(({ key, value, line }) => {
    const location = `${file}:${line}`;
    const raw = lines[line - 1] ?? value;
    // In a realm, a value is judged as Keycloak reads it: literal text, where only its two references resolve.
    const delivered = realm ? (template ? templateLiteral(value) : value) : undefined;
    return delivered === undefined ? scanValue(key, value, location, raw) : scanValue(key, delivered, location, raw, 'keycloak');
  });
}

/** Whether a string of Terraform JSON is a file's text: several lines, or a realm on one line (minified JSON). */
function isFileText(value: string): boolean {
  if (value.includes('\n')) return true;
  const document = jsonDocument(value);
  return isRealm(document) || (Array.isArray(document) && document.some(isRealm));
}

/** Scans config text (YAML, INI-like, conf): `key: value` / `key = value` / `key value` lines; a JSON document value by value. */
export function scanText(text: string, file: string): SecretHit[] {
  return scanFileText(text, file, false);
}

function scanFileText(text: string, file: string, template: boolean): SecretHit[] {
  const document = jsonDocument(text);
  if (document !== undefined) return scanJsonText(text, file, document, template);
  const hits: SecretHit[] = [];
  text.split('\n').forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    const pair = /^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*)$/.exec(line) ?? /^\s*([A-Za-z0-9_.-]+)\s+(.*)$/.exec(line);
    const key = pair?.[1] ?? '';
    const value = (pair?.[2] ?? line).trim().replace(/^["']|["']$/g, '');
    hits.push(...scanValue(key, value, `${file}:${index + 1}`, line));
  });
  return hits;
}

/** Scans every string in a JSON document; multi-line strings (embedded files) line by line. */
export function scanJson(document: unknown, location = '$'): SecretHit[] {
  if (typeof document === 'string')
    return isFileText(document) ? scanFileText(document, location, true) : scanValue(location.split('.').pop() ?? '', document, location);
  if (Array.isArray(document)) return document.flatMap((item, index) => scanJson(item, `${location}[${index}]`));
  if (typeof document === 'object' && document !== null) {
    const record = document as Record<string, unknown>;
    // Environment variables and similar name/value pairs: the name is the key that matters.
    if (typeof record.name === 'string' && typeof record.value === 'string' && !record.value.includes('\n')) {
      return scanValue(record.name, record.value, `${location}(${record.name})`).concat(
        scanJson(Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'value')), location),
      );
    }
    return Object.entries(document)
      .filter(([key, value]) => !isAddressList(key, value))
      .flatMap(([key, value]) =>
        typeof value === 'string' && !isFileText(value)
          ? scanValue(key, value, `${location}.${key}`)
          : scanJson(value, `${location}.${key}`),
      );
  }
  return [];
}
