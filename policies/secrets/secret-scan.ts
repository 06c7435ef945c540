/**
 * Finds secret-looking literals in synthesized JSON and rendered config text, by three
 * independent heuristics: a secret-like key holding a literal value, a known credential
 * format, and a high-entropy token. Paths to mounted files and cdktf references are not
 * secrets; hashes are recognised by their context (image digests, config checksums).
 */

export interface SecretHit {
  /** JSON path or `file:line` of the literal. */
  readonly location: string;
  readonly reason: string;
  /** A redacted preview: never the value itself. */
  readonly preview: string;
}

const SECRET_KEY =
  /(^|[_.\-/ ])(pass|passwd|password|passphrase|secret|token|api[_-]?key|private[_-]?key|credentials?|pepper|client[_-]?secret|auth[_-]?key|access[_-]?key|signing[_-]?key|macaroon[_-]?secret[_-]?key|form[_-]?secret|shared[_-]?secret)$/i;
/** Secret directives of the servers we configure (Redis, OpenLDAP), whose names do not follow the pattern above. */
const KNOWN_SECRET_DIRECTIVES = /^(requirepass|masterauth|rootpw|olcrootpw|bindpw|userpassword|credentials)$/i;
/** Keys that name where a secret is, not the secret itself. */
const LOCATION_KEY = /(_path|_file|_files|_dir|_directory|_name|_ref|_mode)$|[-_]from[-_]secret$|^(secret_name|secretname|secretref)$/i;

const KNOWN_FORMATS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'PEM private key', pattern: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/ },
  { name: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'URL with embedded credentials', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:[^/\s@"']+@/i },
  { name: 'Synapse signing key', pattern: /\bed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{40,}/ },
  { name: 'Synapse access token', pattern: /\bsyt_[A-Za-z0-9]+_[A-Za-z0-9]{20}_[A-Za-z0-9]{6}\b/ },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'Redis ACL password', pattern: /\buser \S+ .*(^|\s)>[^\s]+/ },
  { name: 'OpenBao/Vault token', pattern: /\b(hv[sbr]|s|b|r)\.[A-Za-z0-9_-]{24,}\b/ },
];

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

function isHarmlessLiteral(value: string): boolean {
  const trimmed = value.trim();
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
function scanValue(key: string, value: string, location: string, raw: string = value): SecretHit[] {
  const hits: SecretHit[] = [];
  if ((SECRET_KEY.test(key) || KNOWN_SECRET_DIRECTIVES.test(key)) && !LOCATION_KEY.test(key) && !isHarmlessLiteral(value)) {
    hits.push({ location, reason: `secret-like key "${key}" holds a literal value`, preview: redact(value) });
  }
  for (const format of KNOWN_FORMATS) {
    if (format.pattern.test(raw)) hits.push({ location, reason: format.name, preview: redact(value) });
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

/** Scans config text (YAML, INI-like, conf): `key: value` / `key = value` / `key value` lines. */
export function scanText(text: string, file: string): SecretHit[] {
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
    return document.includes('\n') ? scanText(document, location) : scanValue(location.split('.').pop() ?? '', document, location);
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
        typeof value === 'string' && !value.includes('\n')
          ? scanValue(key, value, `${location}.${key}`)
          : scanJson(value, `${location}.${key}`),
      );
  }
  return [];
}
