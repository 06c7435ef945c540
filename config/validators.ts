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
