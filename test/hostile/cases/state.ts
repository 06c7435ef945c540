/**
 * Terraform state: local state never where a synth deletes (inside, equal to or around the
 * output directory, or in its temporary siblings), and with the pg backend one schema per stack
 * that PostgreSQL keeps as written (at most 63 bytes, distinct).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostileCase, Sandbox } from '../hostile-case';

const INVALID = 2;

function localState(sandbox: Sandbox, directory: string): string {
  const config = sandbox.defaultConfig();
  config.state = { backend: 'local', local: { directory } };
  return sandbox.config(config);
}

const refusedState = (name: string, directory: string, message: RegExp, extra: Partial<HostileCase> = {}): HostileCase => ({
  name,
  command: 'synth',
  args: (sandbox) => [localState(sandbox, directory)],
  exit: INVALID,
  message: [/state\.local\.directory/, message, /nothing was written/],
  ...extra,
});

/** Every stack's pg backend schema in a synthesized output. */
function schemaNames(outdir: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
      terraform?: { backend?: { pg?: { schema_name?: string } } };
    };
    names.set(stack, json.terraform?.backend?.pg?.schema_name ?? '');
  }
  return names;
}

function checkSchemas(expected?: (stack: string) => string): (sandbox: Sandbox) => void {
  return (sandbox) => {
    const names = schemaNames(sandbox.at('cdktf.out'));
    const problems: string[] = [];
    for (const [stack, schema] of names) {
      if (Buffer.byteLength(schema) > 63 || !/^[a-z_][a-z0-9_]*$/.test(schema)) problems.push(`${stack}: ${schema}`);
      if (expected && schema !== expected(stack)) problems.push(`${stack}: ${schema}, expected ${expected(stack)}`);
    }
    if (new Set(names.values()).size !== names.size) problems.push(`shared schemas: ${[...names.values()].join(', ')}`);
    if (problems.length > 0) throw new Error(problems.join('; '));
  };
}

const LONG = 'a'.repeat(30);

/** A pg-backed fleet with long names that differ only at their ends (a 63-byte cut would merge them). */
function longFleet(sandbox: Sandbox): string {
  const config = sandbox.defaultConfig();
  const [homeserver] = config.homeservers as Record<string, unknown>[];
  config.deployment = { name: `${LONG.slice(4)}-deployment-x` };
  config.state = { backend: 'pg', pg: { schemaPrefix: `tfstate_${'p'.repeat(31)}` } };
  // Each homeserver its own public names (a shared one is refused on its own).
  config.homeservers = ['1', '2'].map((suffix) => ({
    ...homeserver,
    name: `${LONG}-hs-${suffix}`,
    serverName: `matrix${suffix}.example.org`,
    allowedEmailDomains: [`staff${suffix}.example.org`],
    client: { hostname: `chat${suffix}.example.org` },
    calls: { ...(homeserver?.calls as Record<string, unknown>), hostname: `rtc${suffix}.example.org` },
  }));
  return sandbox.config(config);
}

export const cases: readonly HostileCase[] = [
  refusedState('state.local.directory: cdktf.out (the output directory itself)', 'cdktf.out', /inside the output directory/),
  refusedState('state.local.directory: cdktf.out/state (inside the output directory)', 'cdktf.out/state', /inside the output directory/),
  refusedState('state.local.directory: . (around the output directory)', '.', /contains the output directory/),
  refusedState('state.local.directory: a staging directory name of the synth', 'cdktf.out.staging-1', /temporary directories/),
  refusedState('state.local.directory: a set-aside directory name of the synth', 'cdktf.out.old-77/state', /temporary directories/),
  refusedState('state.local.directory: a symbolic link into the output directory', 'linked-state', /inside the output directory/, {
    setup: (sandbox) => {
      sandbox.write('cdktf.out/.matrix-sovereign-iac-output', 'matrix-sovereign-iac output\nformat: 1\n');
      sandbox.symlink('cdktf.out', 'linked-state');
    },
  }),
  {
    name: 'CDKTF_OUTDIR=state with the default state directory (the same place)',
    command: 'synth',
    env: { CDKTF_OUTDIR: 'state' },
    exit: INVALID,
    message: [/state\.local\.directory/, /inside the output directory/],
  },
  {
    name: 'CDKTF_OUTDIR=deploy/out with state.local.directory "." (state around the output)',
    command: 'synth',
    args: (sandbox) => [localState(sandbox, '.')],
    env: { CDKTF_OUTDIR: 'deploy/out' },
    setup: (sandbox) => sandbox.mkdir('deploy'),
    exit: INVALID,
    message: [/state\.local\.directory/, /contains the output directory/],
  },
  refusedState(
    'state.local.directory: ../outside (leaves the project)',
    '../outside',
    /must not leave the project directory|relative directory path/,
  ),
  refusedState('state.local.directory: an absolute path', '/var/lib/state', /relative directory path/),
  {
    name: "CDKTF_OUTDIR elsewhere: the state follows the output's parent, apart from it",
    command: 'synth',
    env: { CDKTF_OUTDIR: 'build/cdktf.out' },
    setup: (sandbox) => sandbox.mkdir('build'),
    exit: 0,
    writes: ['build/cdktf.out'],
    verify: (sandbox) => {
      const json = fs.readFileSync(sandbox.at('build/cdktf.out/stacks/matrix-platform/cdk.tf.json'), 'utf8');
      if (!json.includes('"path": "../../../state/matrix-platform.tfstate"')) throw new Error('unexpected local state path');
    },
  },
  {
    name: 'pg backend, long names differing at their ends (PostgreSQL would cut them into shared schemas): refused',
    command: 'synth',
    args: (sandbox) => [longFleet(sandbox)],
    exit: INVALID,
    message: [/state\.pg\.schemaPrefix/, /would be \d+ characters \(at most 63\): PostgreSQL would cut it/],
  },
  {
    name: 'pg backend, a prefix and deployment name just too long together: refused',
    command: 'synth',
    args: (sandbox) => {
      const config = sandbox.defaultConfig();
      config.deployment = { name: `${'d'.repeat(25)}x` };
      config.state = { backend: 'pg', pg: { schemaPrefix: `s${'z'.repeat(18)}` } };
      return [sandbox.config(config)];
    },
    exit: INVALID,
    message: [/state\.pg\.schemaPrefix/, /at most 63/],
  },
  {
    name: 'pg backend, the longest prefix with that deployment name: one schema per stack, 63 bytes at most',
    command: 'synth',
    args: (sandbox) => {
      const config = sandbox.defaultConfig();
      config.deployment = { name: `${'d'.repeat(25)}x` };
      config.state = { backend: 'pg', pg: { schemaPrefix: `s${'z'.repeat(17)}` } };
      return [sandbox.config(config)];
    },
    exit: 0,
    writes: ['cdktf.out'],
    verify: checkSchemas(),
  },
  {
    name: 'pg backend, short names: schemas unchanged (<prefix>_<stack>)',
    command: 'synth',
    args: (sandbox) => {
      const config = sandbox.defaultConfig();
      config.state = { backend: 'pg', pg: { schemaPrefix: 'tfstate' } };
      return [sandbox.config(config)];
    },
    exit: 0,
    writes: ['cdktf.out'],
    verify: checkSchemas((stack) => `tfstate_${stack.replace(/-/g, '_')}`),
  },
];
