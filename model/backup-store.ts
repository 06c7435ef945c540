/**
 * The declared backup store as a flow endpoint: the one address outside the cluster a backup
 * may leave to (HTTPS), shared by the homeserver's flows (the database, the directory and media
 * backup jobs) and the platform's (the secret store's backup job).
 */
import type { DeploymentConfig } from '../config/deployment-config';
import type { OutsideEndpoint } from './flows';

export function backupStoreEndpoint(config: DeploymentConfig): OutsideEndpoint {
  const { objectStore } = config.backup;
  return { kind: 'outside', description: `backup object storage ${objectStore.endpoint}`, cidrs: objectStore.cidrs, except: [] };
}

/** The backup port: HTTPS to the object store. */
export const BACKUP_PORT = { name: 'backup', containerPort: 443 } as const;
