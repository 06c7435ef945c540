/**
 * The directory's admission filter, the identity provider's user search filter: the real
 * admission gate. A user exists for the realm (and can log in) only if the entry is a person,
 * is a member of the admission group, and has a mail address in one of the allowed domains.
 * Values are escaped per RFC 4515.
 */
import type { DirectorySettings } from '../config/deployment-config';

export function escapeLdapFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (character) => `\\${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function admissionFilter(directory: DirectorySettings, emailDomains: readonly string[]): string {
  const domains = emailDomains.map((domain) => `(mail=*@${escapeLdapFilterValue(domain)})`).join('');
  return `(&(objectClass=inetOrgPerson)(memberOf=${escapeLdapFilterValue(directory.admissionGroup)})(|${domains}))`;
}
