/**
 * Output directories: the synth replaces only a directory that is its own output (it carries
 * the marker), is empty or does not exist; everything else is refused (exit 4) untouched, a
 * refused write is exit 5, and leftovers of killed runs are removed once their process is gone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTENT_CANARY, type HostileCase } from '../hostile-case';

const MARKER = '.matrix-sovereign-iac-output';
const MARKER_TEXT = 'matrix-sovereign-iac output\nformat: 1\n';
const REFUSED = 4;
const UNWRITABLE = 5;
const OUTPUT = ['cdktf.out'];

function synthesizedInto(directory: string): (sandbox: Parameters<NonNullable<HostileCase['verify']>>[0]) => void {
  return (sandbox) => {
    for (const file of [MARKER, 'site-facts.json', 'manifest.json', 'audit/audit.md']) {
      if (!fs.existsSync(path.join(sandbox.at(directory), file))) throw new Error(`${directory}/${file} is missing`);
    }
  };
}

const refusedOutdir = (
  name: string,
  outdir: (sandbox: Parameters<NonNullable<HostileCase['setup']>>[0]) => string,
  message: RegExp,
  extra: Partial<HostileCase> = {},
): HostileCase => ({
  name,
  command: 'synth',
  env: (sandbox) => ({ CDKTF_OUTDIR: outdir(sandbox) }),
  exit: REFUSED,
  message: [/CDKTF_OUTDIR/, message, /nothing was written/],
  ...extra,
});

export const cases: readonly HostileCase[] = [
  refusedOutdir('CDKTF_OUTDIR=. (the checkout itself)', () => '.', /is the project/),
  refusedOutdir('CDKTF_OUTDIR=<the checkout, absolute>', (sandbox) => sandbox.project, /is the project/),
  refusedOutdir('CDKTF_OUTDIR=config/.. (the checkout, spelled otherwise)', () => 'config/..', /is the project/),
  refusedOutdir('CDKTF_OUTDIR=.. (the parent of the checkout)', () => '..', /a parent of the project/),
  refusedOutdir('CDKTF_OUTDIR=$HOME', (sandbox) => sandbox.home, /is the home directory/),
  refusedOutdir('CDKTF_OUTDIR=/ (run as nobody, in case it were not refused)', () => '/', /root of the file system/, { asNobody: true }),
  refusedOutdir('CDKTF_OUTDIR=a source folder of the checkout', () => 'config', /carries no \.matrix-sovereign-iac-output/),
  refusedOutdir('CDKTF_OUTDIR=a user folder outside the checkout', (sandbox) => sandbox.userFiles, /not an output of this app/),
  refusedOutdir('CDKTF_OUTDIR=a symbolic link to the checkout', () => 'linked', /is the project|symbolic link/, {
    setup: (sandbox) => sandbox.symlink('.', 'linked'),
  }),
  refusedOutdir('CDKTF_OUTDIR=a symbolic link to a user folder', () => 'linked', /symbolic link/, {
    setup: (sandbox) => sandbox.symlink(sandbox.userFiles, 'linked'),
  }),
  refusedOutdir('CDKTF_OUTDIR=a symbolic link to /', () => 'linked', /root of the file system|symbolic link/, {
    setup: (sandbox) => sandbox.symlink('/', 'linked'),
  }),
  refusedOutdir('CDKTF_OUTDIR=a dangling symbolic link', () => 'linked', /symbolic link/, {
    setup: (sandbox) => sandbox.symlink('nowhere/at/all', 'linked'),
  }),
  refusedOutdir('CDKTF_OUTDIR=a marked output behind a symbolic link', () => 'linked', /symbolic link/, {
    setup: (sandbox) => {
      sandbox.write('real-out/.matrix-sovereign-iac-output', MARKER_TEXT);
      sandbox.symlink('real-out', 'linked');
    },
  }),
  refusedOutdir('CDKTF_OUTDIR=a regular file of the user', () => 'notes.md', /exists and is not a directory/, {
    setup: (sandbox) => sandbox.write('notes.md', `${CONTENT_CANARY}\n`),
  }),
  refusedOutdir('CDKTF_OUTDIR=an earlier cdktf output without the marker', () => 'cdktf.out', /carries no \.matrix-sovereign-iac-output/, {
    setup: (sandbox) => {
      sandbox.write('cdktf.out/manifest.json', '{"version":"0.21.0","stacks":{}}');
      sandbox.write('cdktf.out/stacks/x/cdk.tf.json', '{}');
    },
  }),
  refusedOutdir('CDKTF_OUTDIR=a folder whose marker has other content', () => 'cdktf.out', /not an output of this app/, {
    setup: (sandbox) => {
      sandbox.write(`cdktf.out/${MARKER}`, 'something else\n');
      sandbox.write('cdktf.out/keep.txt', CONTENT_CANARY);
    },
  }),
  refusedOutdir('CDKTF_OUTDIR=a folder whose marker is a symbolic link to a real marker', () => 'cdktf.out', /not an output of this app/, {
    setup: (sandbox) => {
      sandbox.write('elsewhere/.matrix-sovereign-iac-output', MARKER_TEXT);
      sandbox.symlink('../elsewhere/.matrix-sovereign-iac-output', `cdktf.out/${MARKER}`);
      sandbox.write('cdktf.out/keep.txt', CONTENT_CANARY);
    },
  }),
  refusedOutdir('CDKTF_OUTDIR=a folder whose marker is a FIFO', () => 'cdktf.out', /not an output of this app/, {
    setup: (sandbox) => {
      sandbox.fifo(`cdktf.out/${MARKER}`);
      sandbox.write('cdktf.out/keep.txt', CONTENT_CANARY);
    },
    timeoutMs: 40_000,
  }),
  refusedOutdir('CDKTF_OUTDIR= (empty)', () => '', /empty/),
  refusedOutdir('CDKTF_OUTDIR below a folder that does not exist', () => 'no/such/parent/out', /parent directory .* does not exist/),
  refusedOutdir('CDKTF_OUTDIR below a regular file', () => 'notes.md/out', /not a directory/, {
    setup: (sandbox) => sandbox.write('notes.md', 'notes\n'),
  }),
  refusedOutdir('CDKTF_OUTDIR=the state folder (state files, no marker)', () => 'state', /not an output of this app/, {
    setup: (sandbox) => sandbox.write('state/matrix-platform.tfstate', `{"secret":"${CONTENT_CANARY}"}`),
  }),
  {
    name: 'the config file inside the (marked) output directory',
    command: 'synth',
    args: ['cdktf.out/site.yaml'],
    setup: (sandbox) => {
      sandbox.write(`cdktf.out/${MARKER}`, MARKER_TEXT);
      sandbox.write('cdktf.out/site.yaml', fs.readFileSync(sandbox.at('config/default.yaml')));
    },
    exit: REFUSED,
    message: [/lies inside the output directory/, /nothing was written/],
  },
  {
    name: 'an earlier output of this app is replaced whole',
    command: 'synth',
    setup: (sandbox) => {
      sandbox.write(`cdktf.out/${MARKER}`, MARKER_TEXT);
      sandbox.write('cdktf.out/stacks/gone/cdk.tf.json', '{}');
    },
    exit: 0,
    message: /synthesized 10 stacks/,
    writes: OUTPUT,
    verify: (sandbox) => {
      synthesizedInto('cdktf.out')(sandbox);
      if (fs.existsSync(sandbox.at('cdktf.out/stacks/gone'))) throw new Error('the old output survived');
    },
  },
  {
    name: 'a new output directory',
    command: 'synth',
    exit: 0,
    message: /synthesized 10 stacks/,
    writes: OUTPUT,
    verify: synthesizedInto('cdktf.out'),
  },
  {
    name: 'an empty output directory',
    command: 'synth',
    env: { CDKTF_OUTDIR: 'empty-out' },
    setup: (sandbox) => sandbox.mkdir('empty-out'),
    exit: 0,
    writes: ['empty-out'],
    verify: synthesizedInto('empty-out'),
  },
  {
    name: 'an output directory named with a line feed, an escape sequence and a bidi override (echoed escaped)',
    command: 'synth',
    env: { CDKTF_OUTDIR: 'out\n\u001b[31mred\u202etxt' },
    exit: 0,
    message: /out\\n\\u001b\[31mred\\u202etxt/,
    writes: ['out\n\u001b[31mred\u202etxt'],
  },
  {
    name: "leftovers of a killed run (process gone, marked) are removed; a running process's and a user folder named like one are left alone",
    command: 'synth',
    setup: (sandbox) => {
      sandbox.write(`cdktf.out.staging-${sandbox.deadPid()}/${MARKER}`, MARKER_TEXT);
      sandbox.write(`cdktf.out.old-${sandbox.deadPid(1)}/${MARKER}`, MARKER_TEXT);
      sandbox.write(`cdktf.out.staging-${process.pid}/${MARKER}`, MARKER_TEXT);
      sandbox.write(`cdktf.out.old-${sandbox.deadPid(2)}/mine.txt`, CONTENT_CANARY);
    },
    exit: 0,
    writes: (sandbox) => ['cdktf.out', `cdktf.out.staging-${sandbox.deadPid()}`, `cdktf.out.old-${sandbox.deadPid(1)}`],
    verify: (sandbox) => {
      for (const leftover of [`cdktf.out.staging-${sandbox.deadPid()}`, `cdktf.out.old-${sandbox.deadPid(1)}`]) {
        if (fs.existsSync(sandbox.at(leftover))) throw new Error(`${leftover} is still there`);
      }
    },
  },
  {
    name: 'a checkout the user cannot write (run as nobody): exit 5',
    command: 'synth',
    asNobody: true,
    exit: UNWRITABLE,
    message: [/cannot write the output: permission denied \(EACCES\)/, /nothing was written/],
  },
  {
    name: 'a read-only file system: exit 5',
    command: 'synth',
    env: { CDKTF_OUTDIR: 'readonly/cdktf.out' },
    setup: (sandbox) => sandbox.mkdir('readonly'),
    mount: { at: 'readonly', kind: 'read-only' },
    exit: UNWRITABLE,
    message: [/read-only \(EROFS\)/, /nothing was written/],
  },
  {
    name: 'a full disk: exit 5, and nothing left on it',
    command: 'synth',
    env: { CDKTF_OUTDIR: 'small/cdktf.out' },
    setup: (sandbox) => sandbox.mkdir('small'),
    mount: { at: 'small', kind: 'tmpfs', size: '256k' },
    exit: UNWRITABLE,
    message: [/no space left on the device \(ENOSPC\)/, /nothing was written/],
    verify: (sandbox) => {
      const left = fs.readFileSync(path.join(sandbox.root, 'mount-listing'), 'utf8').trim();
      if (left !== '') throw new Error(`left on the full disk: ${left}`);
    },
  },
];
