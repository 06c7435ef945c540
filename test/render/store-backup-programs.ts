/** The store backup target and every program it yields, shared by the Debian-sh and BusyBox-sh checks of the scripts. */
import { DEBIAN_LAYOUT } from '../../render/openldap';
import {
  directoryExport,
  restore,
  secretStoreExport,
  upload,
  type BackedUpStore,
  type ContainerProgram,
  type StoreBackupTarget,
} from '../../render/store-backup';

export const TARGET: StoreBackupTarget = {
  endpoint: 'https://s3.backup.example.org',
  bucket: 'matrix-backups',
  region: 'eu-central-1',
  encryption: 'AES256',
  prefix: 'prod/agency/directory',
  retentionDays: 30,
};

export const STORES: readonly BackedUpStore[] = ['directory', 'secret-store', 'media'];

/** Every program the store backups run, by name. */
export const PROGRAMS: readonly (readonly [string, ContainerProgram])[] = [
  ...STORES.map((store) => [`upload ${store}`, upload(store, TARGET)] as const),
  ['restore', restore(TARGET, 'current', '/restore')],
  ['directory export', directoryExport(DEBIAN_LAYOUT)],
  [
    'secret store export',
    secretStoreExport({ address: 'https://openbao:8200', role: 'r', tokenPath: '/t/token', caPath: '/trust/ca.crt' }),
  ],
];
