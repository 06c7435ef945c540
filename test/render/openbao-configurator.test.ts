/**
 * The configurator's desired state and its script. OpenBao itself is not built by these tests (the
 * Go module proxy does not serve github.com/openbao/openbao), so the script's control flow is run
 * by a real POSIX shell against a recording stand-in of the `bao` client: which calls it
 * makes, in which order, what it prunes and that it always revokes its token. What OpenBao
 * does with those calls is not tested here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames } from '../../model/platform';
import {
  CONFIGURATOR_PATHS,
  CONFIGURATOR_WAIT,
  configuratorFiles,
  CONFIGURE_SCRIPT,
  policyFile,
  roleFile,
} from '../../render/openbao/configurator';
import { CONFIGURATOR_ROLE } from '../../render/openbao/server-config';
import { configuratorWorkload } from '../../workloads/platform-workloads';
import { openBaoAccess } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { tempDirectory } from '../support/slapd';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const access = openBaoAccess(fleet);
const files = configuratorFiles(access, platformNames(fleet.deploymentName).openbaoAddress);

/**
 * A `bao` that logs each call and answers the few reads the script makes; FAIL_ON makes one call
 * fail; `status` fails its first UNREACHABLE_FOR calls (OpenBao's Service not answering yet).
 */
const STAND_IN = `#!/bin/sh
echo "$*" >> "$BAO_LOG"
if [ "$*" = status ]; then
  [ "$(grep -c '^status$' "$BAO_LOG")" -gt "$UNREACHABLE_FOR" ] && exit 0
  exit 1
fi
case "$*" in
  *"$FAIL_ON"*) [ -n "$FAIL_ON" ] && exit 2 ;;
esac
case "$*" in
  "write -field=token auth/kubernetes/login"*) echo "stand-in-token" ;;
  "policy list") printf 'default\\nroot\\nopenbao-configurator\\nmatrix-retired-homeserver-read\\nmatrix-agency-homeserver-read\\nteam-owned-policy\\n' ;;
  "list -format=table auth/kubernetes/role") printf 'Keys\\n----\\nmatrix-retired-homeserver\\nmatrix-agency-homeserver\\nopenbao-configurator\\nteam-owned-role\\n' ;;
esac
exit 0
`;

function runScript(failOn = '', unreachableFor = 0): { status: number | null; calls: string[]; output: string } {
  const root = tempDirectory('configurator-');
  const desired = path.join(root, 'desired');
  fs.mkdirSync(desired);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(desired, name), content);
  fs.mkdirSync(path.join(root, 'bin'));
  fs.writeFileSync(path.join(root, 'bin', 'bao'), STAND_IN, { mode: 0o755 });
  // The waits between attempts take no time here.
  fs.writeFileSync(path.join(root, 'bin', 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  // Only the mount points differ from the pod.
  const script = (files[CONFIGURE_SCRIPT] ?? '')
    .replaceAll(CONFIGURATOR_PATHS.desiredState, desired)
    .replaceAll(CONFIGURATOR_PATHS.token, path.join(root, 'token'));
  fs.writeFileSync(path.join(root, 'configure.sh'), script);
  const log = path.join(root, 'bao.log');
  const result = spawnSync('/bin/sh', [path.join(root, 'configure.sh')], {
    encoding: 'utf8',
    env: { PATH: `${path.join(root, 'bin')}:/usr/bin:/bin`, BAO_LOG: log, FAIL_ON: failOn, UNREACHABLE_FOR: String(unreachableFor) },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status: result.status, calls, output: `${result.stdout}${result.stderr}` };
}

describe('configurator desired state', () => {
  it('holds one file per declared policy and role, and the script', () => {
    expect(Object.keys(files).sort()).toEqual(
      [
        CONFIGURE_SCRIPT,
        ...access.policies.map((policy) => policyFile(policy.name)),
        ...access.roles.map((role) => roleFile(role.name)),
      ].sort(),
    );
  });

  it('runs as a Job with a 10-minute token for the OpenBao audience and no API token', () => {
    const job = configuratorWorkload(fleet);
    expect(job).toMatchObject({ kind: 'Job', serviceAccountToken: { audience: 'openbao', expirationSeconds: 600 }, ports: [] });
    expect(job.trustBundle?.configMapName).toBe(platformNames(fleet.deploymentName).trustBundle);
  });
});

describe('configurator script, run by /bin/sh against a recording stand-in of bao', () => {
  const run = runScript();

  it('succeeds', () => {
    expect(run.output).toMatch(new RegExp(`applied ${access.policies.length} policies and ${access.roles.length} roles`));
    expect(run.status).toBe(0);
  });

  it('logs in first (once OpenBao answers), with its own role and the projected token file (never a token in an argument)', () => {
    expect(run.calls[0]).toBe('status');
    expect(run.calls[1]).toMatch(new RegExp(`^write -field=token auth/kubernetes/login role=${CONFIGURATOR_ROLE} jwt=@/.+/token$`));
  });

  it('writes every declared policy and role', () => {
    for (const policy of access.policies) expect(run.calls).toContain(`policy write ${policy.name} ${policyFile(policy.name)}`);
    for (const role of access.roles) expect(run.calls).toContain(`write auth/kubernetes/role/${role.name} @${roleFile(role.name)}`);
  });

  it('prunes managed entries no longer declared, and nothing outside the managed prefix', () => {
    const deletions = run.calls.filter((call) => / delete |^delete /.test(call) || call.startsWith('policy delete'));
    expect(deletions).toEqual(['policy delete matrix-retired-homeserver-read', 'delete auth/kubernetes/role/matrix-retired-homeserver']);
  });

  it('revokes its token at the end', () => {
    expect(run.calls.at(-1)).toBe('token revoke -self');
  });

  it('waits for OpenBao to answer before logging in, instead of failing the first attempt', () => {
    const waited = runScript('', 5);
    expect(waited.status).toBe(0);
    expect(waited.calls.slice(0, 7)).toEqual([
      ...Array<string>(6).fill('status'),
      expect.stringMatching(/^write -field=token auth\/kubernetes\/login /),
    ]);
  });

  it('gives up when OpenBao never answers: fails the Job, having logged in nowhere', () => {
    const unreachable = runScript('', CONFIGURATOR_WAIT.attempts);
    expect(unreachable.status).toBe(1);
    expect(unreachable.calls).toEqual(Array<string>(CONFIGURATOR_WAIT.attempts).fill('status'));
    expect(unreachable.output).toContain(
      `did not answer unsealed within ${CONFIGURATOR_WAIT.attempts * CONFIGURATOR_WAIT.intervalSeconds} s`,
    );
  });

  it('stops at the first failed write, fails the Job, and still revokes its token', () => {
    const failed = runScript('policy write');
    expect(failed.status).not.toBe(0);
    expect(failed.calls.filter((call) => call.startsWith('policy write'))).toHaveLength(1);
    expect(failed.calls.at(-1)).toBe('token revoke -self');
  });
});
