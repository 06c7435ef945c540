/** `npm run protected`: what an ordinary destroy refuses to delete, as the commands that release it. */
import * as path from 'node:path';
import { runProtectedResources } from '../../scripts/protected-resources';
import { sharedSynthesis } from '../support/shared-synthesis';

function run(args: readonly string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runProtectedResources(args, { out: (text) => (out += text), err: (text) => (err += text) });
  return { status, out, err };
}

describe('npm run protected', () => {
  const outdir = sharedSynthesis('default');

  it('lists the database cluster and its namespace (homeserver), the OpenBao namespace (platform) and the seal key ExternalSecret (secret store), and nothing else', () => {
    const { status, out, err } = run([outdir]);
    expect([status, err]).toEqual([0, '']);
    expect(out.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^tofu -chdir='${outdir}/stacks/agency-homeserver' state rm 'kubernetes_manifest\\.postgres-cluster_manifest_[0-9A-F]{8}'$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^tofu -chdir='${outdir}/stacks/agency-homeserver' state rm 'kubernetes_namespace_v1\\.compartment_namespace_[0-9A-F]{8}'$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^tofu -chdir='${outdir}/stacks/matrix-platform' state rm 'kubernetes_namespace_v1\\.openbao_namespace_[0-9A-F]{8}'$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^tofu -chdir='${outdir}/stacks/matrix-secret-store' state rm 'kubernetes_manifest\\.openbao-seal-key_manifest_[0-9A-F]{8}'$`,
        ),
      ),
    ]);
  });

  it('refuses a directory without stacks and extra arguments (exit 2)', () => {
    expect(run([path.dirname(outdir)])).toMatchObject({ status: 2, err: expect.stringContaining('no stacks/ directory') });
    expect(run([outdir, 'more'])).toMatchObject({ status: 2, err: expect.stringContaining('usage:') });
  });
});
