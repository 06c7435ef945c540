/**
 * The store backup programs parsed by BusyBox's sh, the shell of the Alpine images that run them
 * (rclone's, OpenBao's); Debian's sh and everything else about them is checked in
 * store-backup.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { DEBIAN_LAYOUT } from '../../render/openldap';
import { directoryExport, restore, secretStoreExport, upload, type BackedUpStore, type ContainerProgram } from '../../render/store-backup';

const TARGET = {
  endpoint: 'https://s3.backup.example.org',
  bucket: 'matrix-backups',
  region: 'eu-central-1',
  encryption: 'AES256',
  prefix: 'prod/agency/directory',
  retentionDays: 30,
} as const;
const STORES: readonly BackedUpStore[] = ['directory', 'secret-store', 'media'];

const programs: readonly (readonly [string, ContainerProgram])[] = [
  ...STORES.map((store) => [`upload ${store}`, upload(store, TARGET)] as const),
  ['restore', restore(TARGET, 'current', '/restore')],
  ['directory export', directoryExport(DEBIAN_LAYOUT)],
  [
    'secret store export',
    secretStoreExport({ address: 'https://openbao:8200', role: 'r', tokenPath: '/t/token', caPath: '/trust/ca.crt' }),
  ],
];

describe('the scripts', () => {
  it.each(programs)("%s: parses with BusyBox's sh", (_name, program) => {
    expect(program.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const parsed = spawnSync('/bin/busybox', ['sh', '-n', '-c', program.command[2]!], { encoding: 'utf8' });
    expect({ stderr: parsed.stderr, status: parsed.status }).toEqual({ stderr: '', status: 0 });
  });
});
