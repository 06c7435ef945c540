/**
 * `allowed_local_3pids` patterns. Synapse applies them with Python's `re.match`, which
 * anchors only at the start, and whose `$` also matches before a trailing newline: the end
 * is therefore anchored with `\Z`. The domain is escaped, and the local part may contain no
 * `@` and no whitespace, so `x@gouv.fr@evil.com` and `gouv.fr.evil.com` cannot pass.
 */

/** Escapes every character Python's `re` treats specially (domains are validated, this is the second lock). */
export function escapePythonRegex(text: string): string {
  return text.replace(/[.^$*+?{}[\]\\|()\-#&~\s]/g, (character) => `\\${character}`);
}

export function emailDomainPattern(domain: string): string {
  return `^[^@\\s]+@${escapePythonRegex(domain)}\\Z`;
}

export function allowedLocal3pids(domains: readonly string[]): { medium: 'email'; pattern: string }[] {
  return domains.map((domain) => ({ medium: 'email', pattern: emailDomainPattern(domain) }));
}
