import { barmanCloudArguments, barmanCloudEnvironment, type BarmanCloudCommand, type ObjectStoreConfiguration } from './barman-cloud';

const configuration: ObjectStoreConfiguration = {
  destinationPath: 's3://bucket/matrix/agency/postgres',
  endpointURL: 'https://s3.backup.example.org',
  s3Credentials: {
    accessKeyId: { name: 'creds', key: 'accessKeyId' },
    secretAccessKey: { name: 'creds', key: 'secretAccessKey' },
    region: { name: 'creds', key: 'region' },
  },
  wal: { compression: 'gzip', encryption: 'aws:kms' },
  data: { compression: 'gzip', encryption: 'AES256', jobs: 2 },
};
const STORE = [
  '--endpoint-url',
  'https://s3.backup.example.org',
  '--cloud-provider',
  'aws-s3',
  's3://bucket/matrix/agency/postgres',
  'postgres',
];

describe('barman-cloud command lines from the ObjectStore configuration', () => {
  it.each<[string, BarmanCloudCommand, string[]]>([
    [
      'WAL archive: compressed, encrypted by the store',
      { tool: 'wal-archive', walPath: 'pg_wal/000000010000000000000001' },
      ['--gzip', '-e', 'aws:kms', ...STORE, 'pg_wal/000000010000000000000001'],
    ],
    [
      'base backup: compressed, encrypted, parallel, as the superuser over the socket',
      { tool: 'backup', host: '/run/pg', user: 'postgres', backupName: 'drill', immediateCheckpoint: false },
      ['--gzip', '-e', 'AES256', '--jobs', '2', '--host', '/run/pg', '--user', 'postgres', '--name', 'drill', ...STORE],
    ],
    [
      'on-demand base backup with an immediate checkpoint',
      { tool: 'backup', host: '/run/pg', user: 'postgres', backupName: 'now', immediateCheckpoint: true },
      [
        '--gzip',
        '-e',
        'AES256',
        '--jobs',
        '2',
        '--host',
        '/run/pg',
        '--user',
        'postgres',
        '--name',
        'now',
        '--immediate-checkpoint',
        ...STORE,
      ],
    ],
    [
      'WAL restore: no writing options',
      { tool: 'wal-restore', walName: 'W', destination: 'pg_wal/RECOVERYXLOG' },
      [...STORE, 'W', 'pg_wal/RECOVERYXLOG'],
    ],
    ['restore: no writing options', { tool: 'restore', backupId: 'drill', recoveryDirectory: '/data' }, [...STORE, 'drill', '/data']],
  ])('%s', (_what, command, expected) => {
    expect(barmanCloudArguments(configuration, 'postgres', command)).toEqual(expected);
  });

  it('gives the tools the keys the configuration names, the region and the CA bundle', () => {
    const values: Record<string, string> = { accessKeyId: 'A', secretAccessKey: 'S', region: 'R' };
    expect(barmanCloudEnvironment(configuration, (reference) => values[reference.key] ?? '', '/ca.crt')).toEqual({
      AWS_ACCESS_KEY_ID: 'A',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_DEFAULT_REGION: 'R',
      AWS_CA_BUNDLE: '/ca.crt',
    });
  });
});
