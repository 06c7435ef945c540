/**
 * Files a user names (the config, audit inputs, review files): only regular files within the
 * documented caps are read; devices, FIFOs, sockets, directories, link loops and oversized files
 * are refused quickly with exit 2, naming the file and the reason, never its content.
 */
import * as fs from 'node:fs';
import { stringify } from 'yaml';
import { CONTENT_CANARY, type HostileCase, type Sandbox } from '../hostile-case';

const INVALID = 2;
const MiB = 1024 * 1024;
/** Resource-exhaustion cases must end long before an unbounded read would (they are killed at this). */
const QUICKLY = 40_000;

const badConfig = (name: string, setup: (sandbox: Sandbox) => string, message: RegExp, extra: Partial<HostileCase> = {}): HostileCase => {
  let configPath = '';
  return {
    name,
    command: 'synth',
    setup: (sandbox) => {
      configPath = setup(sandbox);
    },
    args: () => [configPath],
    exit: INVALID,
    message: [/\(file\)/, message, /nothing was written/],
    timeoutMs: QUICKLY,
    ...extra,
  };
};

/** A clean synthesized output whose stack folder gains one hostile file. */
const badAuditInput = (
  name: string,
  setup: (sandbox: Sandbox, stacks: string) => void,
  message: RegExp,
  extra: Partial<HostileCase> = {},
): HostileCase => ({
  name,
  command: 'audit',
  setup: (sandbox) => setup(sandbox, `${sandbox.synthesized('out')}/stacks`),
  args: ['out/stacks'],
  exit: INVALID,
  message,
  timeoutMs: QUICKLY,
  ...extra,
});

const REVIEW = `<!-- matrix-sovereign-iac:review -->\n# Review\n`;
const GITHUB = (sandbox: Sandbox, event: string) => ({
  GITHUB_ACTIONS: 'true',
  GITHUB_API_URL: 'http://127.0.0.1:9',
  GITHUB_REPOSITORY: 'owner/name',
  GITHUB_EVENT_PATH: sandbox.at(event),
  GITHUB_TOKEN: 'not-a-real-token',
});

export const cases: readonly HostileCase[] = [
  badConfig('config /dev/zero (grows without end)', () => '/dev/zero', /character device/),
  {
    name: 'MATRIX_DEPLOYMENT_CONFIG=/dev/zero',
    command: 'synth',
    env: { MATRIX_DEPLOYMENT_CONFIG: '/dev/zero' },
    exit: INVALID,
    message: [/\(file\)/, /character device/],
    timeoutMs: QUICKLY,
  },
  badConfig('config a FIFO (blocks forever)', (sandbox) => sandbox.fifo('site.yaml'), /FIFO/),
  badConfig('config a symbolic link to /dev/zero', (sandbox) => sandbox.symlink('/dev/zero', 'site.yaml'), /character device/),
  badConfig('config a symbolic link to a FIFO', (sandbox) => (sandbox.fifo('pipe'), sandbox.symlink('pipe', 'site.yaml')), /FIFO/),
  badConfig('config a directory', (sandbox) => sandbox.mkdir('site.yaml'), /directory/),
  badConfig('config a Unix socket', (sandbox) => sandbox.socket('site.yaml'), /socket/),
  badConfig('config a symbolic link loop', (sandbox) => sandbox.symlink('site.yaml', 'site.yaml'), /symbolic links/),
  badConfig('config that does not exist', () => 'missing.yaml', /does not exist/),
  badConfig(
    'config of 2 MiB (a valid config padded with comments)',
    (sandbox) => sandbox.write('site.yaml', `${`# ${'x'.repeat(1000)}\n`.repeat(2100)}${stringify(sandbox.defaultConfig())}`),
    /more than the limit of 1 MiB/,
  ),
  badConfig('config a sparse file of 8 GiB', (sandbox) => sandbox.sparse('site.yaml', 8 * 1024 * MiB), /more than the limit of 1 MiB/),
  badConfig(
    'config the unreadable file of another user (as nobody)',
    (sandbox) => sandbox.write('site.yaml', `secret: ${CONTENT_CANARY}\n`, 0o600),
    /permission denied/,
    { asNobody: true },
  ),
  badConfig('config /proc/self/environ (holds the environment, NUL-separated)', () => '/proc/self/environ', /./, {
    env: { SOME_SECRET: CONTENT_CANARY },
    message: [/\(yaml\)|\(root\)/, /nothing was written/],
  }),
  {
    name: 'config a symbolic link to a regular file (followed)',
    command: 'synth',
    setup: (sandbox) => sandbox.symlink('config/default.yaml', 'site.yaml'),
    args: ['site.yaml'],
    exit: 0,
    message: /synthesized 10 stacks/,
    writes: ['cdktf.out'],
  },
  badAuditInput(
    'audit: a *.tf.json linked to /dev/zero',
    (sandbox) => sandbox.symlink('/dev/zero', 'out/stacks/zero.tf.json'),
    /zero\.tf\.json: the Terraform JSON is a character device/,
  ),
  badAuditInput(
    'audit: a *.tf.json that is a FIFO',
    (sandbox) => sandbox.fifo('out/stacks/pipe.tf.json'),
    /pipe\.tf\.json: the Terraform JSON is a FIFO/,
  ),
  badAuditInput(
    'audit: a *.tf.json of 40 MiB (sparse)',
    (sandbox) => sandbox.sparse('out/stacks/big.tf.json', 40 * MiB),
    /more than the limit of 32 MiB/,
  ),
  badAuditInput(
    'audit: nine files of 30 MiB (270 MiB in all, sparse)',
    (sandbox) => {
      for (let index = 0; index < 9; index += 1) sandbox.sparse(`out/stacks/big-${index}.tf.json`, 30 * MiB);
    },
    /more than the limit of 256 MiB for one audit/,
  ),
  badAuditInput(
    'audit: 5,001 Terraform JSON files (links to one)',
    (sandbox) => {
      const first = sandbox.write('out/stacks/many/s0.tf.json', '{}');
      for (let index = 1; index <= 5000; index += 1) fs.linkSync(first, sandbox.at(`out/stacks/many/s${index}.tf.json`));
    },
    /more than 5000 Terraform JSON files/,
  ),
  badAuditInput(
    'audit: a stack folder the user cannot list (as nobody)',
    (sandbox) => fs.chmodSync(sandbox.mkdir('out/stacks/locked'), 0o700),
    /locked: cannot list the directory: permission denied/,
    { asNobody: true },
  ),
  {
    name: 'audit: the directory argument is /dev/zero',
    command: 'audit',
    args: ['/dev/zero'],
    exit: INVALID,
    message: /\/dev\/zero: not a directory/,
  },
  {
    name: 'audit: --config /dev/zero',
    command: 'audit',
    setup: (sandbox) => sandbox.synthesized('out'),
    args: ['out/stacks', '--config', '/dev/zero', '--out', 'evidence'],
    exit: INVALID,
    message: [/\(file\)/, /character device/],
    timeoutMs: QUICKLY,
  },
  {
    name: 'review: a side whose *.tf.json is linked to /dev/zero',
    command: 'review',
    setup: (sandbox) => {
      sandbox.synthesized('base');
      sandbox.synthesized('head');
      sandbox.symlink('/dev/zero', 'head/stacks/zero.tf.json');
    },
    args: ['--base-dir', 'base', '--head-dir', 'head', '--out', 'review/review.md'],
    exit: INVALID,
    message: /zero\.tf\.json: the Terraform JSON is a character device/,
    timeoutMs: QUICKLY,
  },
  {
    name: 'review: --config a FIFO',
    command: 'review',
    setup: (sandbox) => sandbox.fifo('site.yaml'),
    args: ['--base-dir', 'x', '--head-dir', 'y', '--config', 'site.yaml'],
    exit: INVALID,
    message: [/\(file\)/, /FIFO/],
    timeoutMs: QUICKLY,
  },
  {
    name: 'post-review: the review file is /dev/zero',
    command: 'post-review',
    args: ['/dev/zero'],
    exit: INVALID,
    message: /\/dev\/zero: the review is a character device/,
    timeoutMs: QUICKLY,
  },
  {
    name: 'post-review: the review file is a FIFO',
    command: 'post-review',
    setup: (sandbox) => sandbox.fifo('review.md'),
    args: ['review.md'],
    exit: INVALID,
    message: /the review is a FIFO/,
    timeoutMs: QUICKLY,
  },
  {
    name: 'post-review: GITHUB_EVENT_PATH is a FIFO',
    command: 'post-review',
    setup: (sandbox) => {
      sandbox.write('review.md', REVIEW);
      sandbox.fifo('event.json');
    },
    args: ['review.md'],
    env: (sandbox) => GITHUB(sandbox, 'event.json'),
    exit: INVALID,
    message: /GITHUB_EVENT_PATH: .*event\.json: the event file is a FIFO/,
    timeoutMs: QUICKLY,
  },
  {
    name: 'post-review: GITHUB_EVENT_PATH of 64 MiB (sparse)',
    command: 'post-review',
    setup: (sandbox) => {
      sandbox.write('review.md', REVIEW);
      sandbox.sparse('event.json', 64 * MiB);
    },
    args: ['review.md'],
    env: (sandbox) => GITHUB(sandbox, 'event.json'),
    exit: INVALID,
    message: /more than the limit of 4 MiB/,
    timeoutMs: QUICKLY,
  },
  {
    name: 'post-review: GITHUB_EVENT_PATH not JSON, holding a secret (not echoed)',
    command: 'post-review',
    setup: (sandbox) => {
      sandbox.write('review.md', REVIEW);
      sandbox.write('event.json', `token=${CONTENT_CANARY}\n`);
    },
    args: ['review.md'],
    env: (sandbox) => GITHUB(sandbox, 'event.json'),
    exit: INVALID,
    message: /GITHUB_EVENT_PATH .*event\.json.*: the event is not valid JSON/,
  },
];
