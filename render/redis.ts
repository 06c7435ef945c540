/**
 * Redis for Synapse's worker replication stream: no persistence (it is a bus, not a store),
 * authentication through an ACL file mounted from a Secret (it holds only a password hash),
 * the default user otherwise disabled from dangerous commands. Secret-free.
 */
import { REDIS_SERVICE_PORT } from '../model/workload-spec';

export function renderRedisConf(aclFile: string, maxMemoryMi: number, dataDirectory = '/data'): string {
  return [
    'bind * -::*',
    `port ${REDIS_SERVICE_PORT.containerPort}`,
    'protected-mode yes',
    `aclfile ${aclFile}`,
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
