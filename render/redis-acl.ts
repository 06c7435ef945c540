/**
 * The Redis ACL file, as an External Secrets template: External Secrets renders it in-cluster
 * with the SHA-256 of the generated password (never the password itself). Dangerous commands
 * (CONFIG, KEYS, FLUSHALL, DEBUG, ...) stay refused even to the authenticated client.
 */
export const REDIS_ACL_TEMPLATE = 'user default on #{{ .password | sha256sum }} ~* &* +@all -@dangerous';
