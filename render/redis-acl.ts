/**
 * The one ACL rule the in-cluster generator writes into the `users.acl` Secret file, with
 * the SHA-256 of the generated password (never the password). Kept here so the delivery
 * side and the tests agree on it. Dangerous commands (CONFIG, KEYS, FLUSHALL, DEBUG, ...)
 * stay refused even to the authenticated client.
 */
export const REDIS_ACL_TEMPLATE = 'user default on #{{ .passwordSha256 }} ~* &* +@all -@dangerous';

export function redisAclLine(passwordSha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(passwordSha256Hex)) throw new Error('redis ACL needs a lowercase hex SHA-256');
  return REDIS_ACL_TEMPLATE.replace('{{ .passwordSha256 }}', passwordSha256Hex);
}
