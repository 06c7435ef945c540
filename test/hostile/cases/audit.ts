/**
 * The auditor's standalone audit: a clean synth audits clean with and without --config (the
 * output records the site facts it was made with); tampered or unreadable facts are detected,
 * never trusted; without facts the audit says what it did not judge; evidence is written only
 * into a new, empty or earlier evidence directory.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { CONTENT_CANARY, type HostileCase, type Sandbox } from '../hostile-case';

const INVALID = 2;
const REFUSED = 4;
const UNWRITABLE = 5;

const clean = (
  name: string,
  args: readonly string[],
  writes: readonly string[],
  message: RegExp | readonly RegExp[] = /0 errors/,
): HostileCase => ({
  name,
  command: 'audit',
  setup: (sandbox) => sandbox.synthesized('cdktf.out'),
  args,
  exit: 0,
  message,
  writes,
});

type Facts = { facts: { monitoring: { namespace: string } }; digest: string };

function editFacts(sandbox: Sandbox, edit: (record: Facts) => void): void {
  const file = sandbox.at('cdktf.out/site-facts.json');
  const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Facts;
  edit(record);
  fs.writeFileSync(file, JSON.stringify(record, null, 2));
}

/** The digest as the synth computes it (sha256 over the record without it, keys sorted). */
function redigest(record: Facts): void {
  const canonical = (value: unknown): string =>
    Array.isArray(value)
      ? `[${value.map(canonical).join(',')}]`
      : typeof value === 'object' && value !== null
        ? `{${Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([key, child]) => `${JSON.stringify(key)}:${canonical(child)}`)
            .join(',')}}`
        : JSON.stringify(value);
  const { digest: _digest, ...rest } = record;
  record.digest = `sha256:${createHash('sha256').update(canonical(rest)).digest('hex')}`;
}

const tampered = (
  name: string,
  setup: (sandbox: Sandbox) => void,
  args: readonly string[],
  exit: number,
  message: RegExp | readonly RegExp[],
  writes: readonly string[] = [],
  maxLines = 3,
): HostileCase => ({
  name,
  command: 'audit',
  setup: (sandbox) => {
    sandbox.synthesized('cdktf.out');
    setup(sandbox);
  },
  args,
  exit,
  message,
  writes,
  maxLines,
});

export const cases: readonly HostileCase[] = [
  clean(
    'a clean synth, audited as cdktf.out/stacks without --config: no false error',
    ['cdktf.out/stacks'],
    ['cdktf.out/stacks/audit'],
    [/site facts from .*site-facts\.json/, /10 stacks .*: 0 errors/],
  ),
  clean('a clean synth, audited as cdktf.out without --config', ['cdktf.out'], ['cdktf.out/audit'], [/site facts from/, /0 errors/]),
  clean(
    'a clean synth, one stack folder without --config',
    ['cdktf.out/stacks/agency-media', '--out', 'evidence'],
    ['evidence'],
    [/site facts from/, /1 stacks .*: 0 errors/],
  ),
  clean(
    'a clean synth, audited with --config: the same verdict',
    ['cdktf.out/stacks', '--config', 'config/default.yaml', '--out', 'evidence'],
    ['evidence'],
    /10 stacks .*: 0 errors/,
  ),
  {
    name: 'a copy of the stacks without site facts: no false error, and what was not judged is said',
    command: 'audit',
    setup: (sandbox) => {
      fs.cpSync(sandbox.synthesized('cdktf.out'), sandbox.at('copy'), { recursive: true });
      fs.rmSync(sandbox.at('copy/site-facts.json'));
    },
    args: ['copy/stacks', '--out', 'evidence'],
    exit: 0,
    message: [
      /not judged \[NET-05\] ingress from a namespace outside the deployment/,
      /not judged \[IMG-02\]/,
      /0 errors, .*19 rules partly not judged/,
    ],
    maxLines: 20,
    writes: ['evidence'],
  },
  tampered(
    'site facts edited without the digest: detected',
    (sandbox) => editFacts(sandbox, (record) => (record.facts.monitoring.namespace = 'attacker')),
    ['cdktf.out/stacks', '--out', 'evidence'],
    INVALID,
    [/site-facts\.json: the site facts cannot be trusted: its digest does not match/, /--config/],
  ),
  tampered(
    'site facts edited (digest recomputed), audited with --config: reported',
    (sandbox) =>
      editFacts(sandbox, (record) => {
        record.facts.monitoring.namespace = 'attacker';
        redigest(record);
      }),
    ['cdktf.out/stacks', '--config', 'config/default.yaml', '--out', 'evidence'],
    0,
    [/records other site facts than --config \(monitoring\.namespace/, /0 errors/],
    ['evidence'],
  ),
  tampered(
    'site facts edited with the digest recomputed: judged as recorded, so stacks that do not match them fail',
    (sandbox) =>
      editFacts(sandbox, (record) => {
        record.facts.monitoring.namespace = 'attacker';
        redigest(record);
      }),
    ['cdktf.out/stacks', '--out', 'evidence'],
    1,
    /\[NET-05\].*ingress from monitoring/,
    ['evidence'],
    10,
  ),
  tampered(
    'site facts replaced by a link to /dev/zero',
    (sandbox) => {
      fs.rmSync(sandbox.at('cdktf.out/site-facts.json'));
      sandbox.symlink('/dev/zero', 'cdktf.out/site-facts.json');
    },
    ['cdktf.out/stacks', '--out', 'evidence'],
    INVALID,
    /the site facts cannot be trusted: the site facts is a character device/,
  ),
  tampered(
    'site facts not JSON, holding a secret (not echoed)',
    (sandbox) => sandbox.write('cdktf.out/site-facts.json', `{${CONTENT_CANARY}`),
    ['cdktf.out/stacks', '--out', 'evidence'],
    INVALID,
    /cannot be trusted: not valid JSON at line 1, column 2/,
  ),
  tampered(
    'site facts of the wrong shape (digest recomputed)',
    (sandbox) =>
      editFacts(sandbox, (record) => {
        (record.facts as unknown as Record<string, unknown>).monitoring = 'everyone';
        redigest(record);
      }),
    ['cdktf.out/stacks', '--out', 'evidence'],
    INVALID,
    /cannot be trusted: not a site facts record of this version \(facts\.monitoring/,
  ),
  tampered(
    'site facts nested 100,000 deep',
    (sandbox) => sandbox.write('cdktf.out/site-facts.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    ['cdktf.out/stacks', '--out', 'evidence'],
    INVALID,
    /cannot be trusted: nested deeper than 128 levels/,
  ),
  tampered(
    'site facts without the output marker are not used (not judged instead)',
    (sandbox) => fs.rmSync(sandbox.at('cdktf.out/.matrix-sovereign-iac-output')),
    ['cdktf.out/stacks', '--out', 'evidence'],
    0,
    /19 rules partly not judged/,
    ['evidence'],
    20,
  ),
  {
    name: 'a clean synth audited with --config of another deployment (the fleet): reported',
    command: 'audit',
    setup: (sandbox) => sandbox.synthesized('cdktf.out'),
    args: ['cdktf.out/stacks', '--config', 'config/examples/fleet.yaml', '--out', 'evidence'],
    exit: 1,
    message: /records other site facts than --config/,
    maxLines: 70,
    writes: ['evidence'],
  },
  {
    name: '--out a user folder holding files: refused, nothing overwritten',
    command: 'audit',
    setup: (sandbox) => {
      sandbox.synthesized('cdktf.out');
      sandbox.write('mine/audit.md', CONTENT_CANARY);
    },
    args: ['cdktf.out/stacks', '--out', 'mine'],
    exit: REFUSED,
    message: /evidence directory mine: exists, is not empty and carries no \.matrix-sovereign-iac-output/,
  },
  {
    name: '--out a regular file',
    command: 'audit',
    setup: (sandbox) => {
      sandbox.synthesized('cdktf.out');
      sandbox.write('notes.md', CONTENT_CANARY);
    },
    args: ['cdktf.out/stacks', '--out', 'notes.md'],
    exit: REFUSED,
    message: /exists and is not a directory/,
  },
  {
    name: '--out a symbolic link to a user folder',
    command: 'audit',
    setup: (sandbox) => {
      sandbox.synthesized('cdktf.out');
      sandbox.symlink(sandbox.userFiles, 'linked');
    },
    args: ['cdktf.out/stacks', '--out', 'linked'],
    exit: REFUSED,
    message: /symbolic link/,
  },
  {
    name: '--out an earlier evidence directory: rewritten',
    command: 'audit',
    setup: (sandbox) => {
      sandbox.synthesized('cdktf.out');
      sandbox.write('evidence/.matrix-sovereign-iac-output', 'matrix-sovereign-iac output\nformat: 1\n');
      sandbox.write('evidence/audit.md', 'old');
    },
    args: ['cdktf.out/stacks', '--out', 'evidence'],
    exit: 0,
    writes: ['evidence'],
  },
  {
    name: '--out where the user cannot write (as nobody): exit 5',
    command: 'audit',
    asNobody: true,
    setup: (sandbox) => sandbox.synthesized('cdktf.out'),
    args: ['cdktf.out/stacks', '--out', 'evidence'],
    exit: UNWRITABLE,
    message: /evidence.*cannot write the output: permission denied \(EACCES\)/,
  },
];
