/**
 * Pure syntax checks shared by the config schema and the policy rules.
 * Each returns null when the value is acceptable, or the rule it breaks.
 */

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A lowercase fully-qualified DNS name (at least two labels, no trailing dot). */
export function dnsNameProblem(value: string): string | null {
  if (value !== value.trim() || /\s/.test(value)) return 'must not contain whitespace or newlines';
  if (value.includes('*')) return 'wildcards are not allowed: list each domain explicitly';
  if (/[\^$\\()[\]{}|+?]/.test(value)) {
    return 'must be a plain domain name, not a pattern: anchoring and escaping are done by the renderer';
  }
  if (value !== value.toLowerCase()) return 'must be lowercase';
  if (value.length > 253) return 'must be at most 253 characters';
  if (value.endsWith('.')) return 'must not end with a dot';
  const labels = value.split('.');
  if (labels.length < 2) return 'must be a fully-qualified domain name (at least two labels)';
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) {
      return `label "${label}" must be 1-63 characters of a-z, 0-9 and "-", not starting or ending with "-"`;
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'must be a domain name, not an IP address';
  return null;
}

/** A Matrix server name as used here: a DNS name with an optional port. */
export function serverNameProblem(value: string): string | null {
  const match = /^([^:]*)(?::([0-9]{1,5}))?$/.exec(value);
  if (!match) return 'must be a DNS name with an optional ":port"';
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return 'port must be 1-65535';
  return dnsNameProblem(match[1] ?? '');
}

/** A Kubernetes object name / namespace prefix: a short DNS-1123 label. */
export function slugProblem(value: string, maxLength: number): string | null {
  if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
    return 'must be lowercase a-z, 0-9 and "-", start with a letter and not end with "-"';
  }
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  return null;
}

/**
 * Characters no config string may hold, in any field: C0/C1 controls (line breaks included),
 * Unicode line separators (YAML 1.1 reads them as line breaks) and invisible formatting
 * characters (zero-width and bidirectional controls, which make a reviewed value read
 * differently from what the engines see).
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/u;

export function invisibleCharacterProblem(value: string): string | null {
  const found = INVISIBLE.exec(value)?.[0];
  if (found === undefined) return null;
  return `must not contain control or invisible formatting characters (found U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * Namespaces Kubernetes (and OpenShift) reserve for themselves. A deployment or homeserver
 * name prefixes namespaces (`<name>-<compartment>`), so a name must not produce one of them.
 */
export const RESERVED_NAME_PREFIXES = ['kube-', 'openshift-'] as const;
export const SHARED_NAMESPACE = 'default';
/** The namespaces of Kubernetes itself. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

export function reservedNameProblem(name: string): string | null {
  if (name === SHARED_NAMESPACE) return `"${name}" is reserved: it reads as the cluster's default namespace`;
  const prefix = RESERVED_NAME_PREFIXES.find((reserved) => `${name}-`.startsWith(reserved));
  return prefix
    ? `must not start with "${prefix.slice(0, -1)}": its namespaces (${name}-...) would carry the reserved prefix "${prefix}"`
    : null;
}

/** A Kubernetes label key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const subdomain = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
  if (prefix !== undefined && (prefix.length > 253 || !subdomain.test(prefix)))
    return 'must be a Kubernetes label key: its prefix must be a lowercase DNS subdomain';
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(name))
    return 'must be a Kubernetes label key (name: 1-63 characters of A-Z, a-z, 0-9, ".", "_", "-", alphanumeric at both ends)';
  return null;
}

/**
 * LDAP attribute types a DN of this project may use: the naming attributes of directory
 * trees (RFC 4519). Anything else (OIDs, options, exotic types) is refused rather than escaped.
 */
export const DN_ATTRIBUTE_TYPES = ['dc', 'o', 'ou', 'cn', 'uid', 'c', 'l', 'st'] as const;
/** One value: words of letters, digits, ".", "_" and "-" separated by single spaces (nothing RFC 4514 would need to escape). */
const DN_VALUE = /^[A-Za-z0-9._-]+( [A-Za-z0-9._-]+)*$/;
export const DN_MAX_LENGTH = 256;

/**
 * A distinguished name as RFC 4514 writes it without any escape: `type=value` parts joined by
 * ",". Values are words separated by single spaces: a leading, trailing or doubled space
 * (insignificant to LDAP's matching but not to string comparisons) is refused, as is any
 * character that DN, filter, LDIF, slapd ACL or shell syntax would read specially.
 */
export function distinguishedNameProblem(dn: string): string | null {
  if (dn.length > DN_MAX_LENGTH) return `must be at most ${DN_MAX_LENGTH} characters`;
  const parts = dn.split(',');
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals < 0) return `"${part}" must be attribute=value, e.g. ou=people (parts are joined by "," with no escapes)`;
    const type = part.slice(0, equals);
    const value = part.slice(equals + 1);
    if (!(DN_ATTRIBUTE_TYPES as readonly string[]).includes(type.toLowerCase()))
      return `attribute type "${type}" must be one of ${DN_ATTRIBUTE_TYPES.join(', ')} (no spaces around "=" and ",")`;
    if (value !== value.trim() || value.includes('  ')) return `value "${value}" must not have leading, trailing or doubled spaces`;
    if (!DN_VALUE.test(value))
      return `value "${value}" must be letters, digits, ".", "_", "-" and single spaces (nothing that needs escaping)`;
  }
  return null;
}

/** Attribute types are case-insensitive: written lowercase, so every comparison and rendering sees one spelling. */
export function normalizeDistinguishedName(dn: string): string {
  return dn
    .split(',')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals < 0 ? part : `${part.slice(0, equals).toLowerCase()}${part.slice(equals)}`;
    })
    .join(',');
}

/** A display name: letters (any script), digits, single spaces and a few marks that no mail header, YAML or template syntax reads specially. */
const DISPLAY_NAME = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}._'&-]*( [\p{L}\p{M}\p{N}._'&-]+)*$/u;
export const DISPLAY_NAME_MAX_LENGTH = 64;
/** A dot-atom local part without the RFC 5322 symbols that templates and shells read (`{`, `}`, `$`, `%`, `|`, "`", ...). */
const LOCAL_PART = /^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*$/;

/**
 * A sender as Synapse's `notif_from` takes it: `Display Name <local@domain>` or `<local@domain>`.
 * The value is written into YAML, an External Secrets template and a mail header, and Synapse
 * applies Python's `%` formatting to it: none of those syntaxes can appear in it.
 */
export function emailSenderProblem(value: string): string | null {
  const match = /^(?:(.*) )?<([^<>]*)@([^<>@]*)>$/s.exec(value);
  if (!match) return 'must look like "Display Name <local@domain>" or "<local@domain>"';
  const [, name, local = '', domain = ''] = match;
  if (name !== undefined) {
    if (name.length > DISPLAY_NAME_MAX_LENGTH) return `display name must be at most ${DISPLAY_NAME_MAX_LENGTH} characters`;
    if (!DISPLAY_NAME.test(name))
      return "display name must be letters, digits, single spaces and . _ ' & - only (no quotes, braces, %, <, >, commas or control characters)";
  }
  if (local.length > 64 || !LOCAL_PART.test(local))
    return 'local part must be 1-64 characters of letters, digits, "_", "+", "-" and inner dots';
  const domainProblem = dnsNameProblem(domain);
  return domainProblem ? `domain ${domainProblem}` : null;
}

export interface ParsedCidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** The address as a big integer, for containment tests. */
  readonly network: bigint;
  readonly text: string;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-f:]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** Parses "a.b.c.d/n" or "x:y::z/n"; the address must be the network address (no host bits). */
export function parseCidr(text: string): ParsedCidr | string {
  const match = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  if (!match) return 'must be a CIDR such as 10.0.0.0/8 or fd00::/8';
  const address = match[1] ?? '';
  const prefix = Number(match[2]);
  const isV6 = address.includes(':');
  const network = isV6 ? parseIpv6(address) : parseIpv4(address);
  if (network === null) return `"${address}" is not a valid IPv${isV6 ? 6 : 4} address`;
  const bits = isV6 ? 128 : 32;
  if (prefix > bits) return `prefix /${prefix} is longer than ${bits} bits`;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((network & hostMask) !== 0n) return 'host bits must be zero (give the network address)';
  return { family: isV6 ? 6 : 4, prefix, network, text };
}

export function cidrProblem(text: string): string | null {
  const parsed = parseCidr(text);
  return typeof parsed === 'string' ? parsed : null;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = outer.family === 6 ? 128 : 32;
  const shift = BigInt(bits - outer.prefix);
  return inner.network >> shift === outer.network >> shift;
}

/** True for a CIDR that matches every address of its family (0.0.0.0/0, ::/0). */
export function isAnyAddress(text: string): boolean {
  const parsed = parseCidr(text);
  return typeof parsed !== 'string' && parsed.prefix === 0;
}
