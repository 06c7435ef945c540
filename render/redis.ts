/**
 * Redis for Synapse's worker replication stream: TLS only (no plaintext port at all), every
 * client presenting a certificate of the internal CA, then authenticating through an ACL file
 * mounted from a Secret (it holds only a password hash), the default user otherwise disabled
 * from dangerous commands; no persistence (it is a bus, not a store). Secret-free.
 */
import { REDIS_SERVICE_PORT } from '../model/workload-spec';

export interface RedisFiles {
  readonly aclFile: string;
  /** The server's certificate and key (cert-manager's tls.crt and tls.key). */
  readonly certificateFile: string;
  readonly keyFile: string;
  /** The internal CA bundle the clients' certificates must chain to. */
  readonly caFile: string;
}

export function renderRedisConf(files: RedisFiles, maxMemoryMi: number, dataDirectory = '/data'): string {
  return [
    'bind * -::*',
    // TLS only: the plaintext listener is off.
    'port 0',
    `tls-port ${REDIS_SERVICE_PORT.containerPort}`,
    `tls-cert-file ${files.certificateFile}`,
    `tls-key-file ${files.keyFile}`,
    `tls-ca-cert-file ${files.caFile}`,
    // Mutual TLS: Synapse's Redis client does not verify the server's certificate, so the server verifies every client's.
    'tls-auth-clients yes',
    'tls-protocols "TLSv1.2 TLSv1.3"',
    'tls-prefer-server-ciphers yes',
    'tls-session-caching no',
    'protected-mode yes',
    `aclfile ${files.aclFile}`,
    // Replication stream and caches only: nothing to persist, nothing written to disk.
    'save ""',
    'appendonly no',
    `dir ${dataDirectory}`,
    `maxmemory ${maxMemoryMi}mb`,
    'maxmemory-policy noeviction',
    'enable-debug-command no',
    'enable-module-command no',
    'loglevel notice',
    'logfile ""',
    '',
  ].join('\n');
}
