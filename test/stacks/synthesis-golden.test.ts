/**
 * The synthesized Terraform JSON of the default deployment and the fleet, byte for byte, against
 * digests recorded from a known-good build. Refactoring must not move a byte; a deliberate change
 * of the output re-records them (`RECORD_SYNTHESIS_DIGESTS=1 npx jest synthesis-golden`) and the
 * digest diff shows reviewers which stacks it touched.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedSynthesis, type SharedDeployment } from '../support/shared-synthesis';

const DIGESTS_FILE = path.join(__dirname, 'synthesis-digests.json');
type Digests = Record<string, Record<string, string>>;

/** sha256 of manifest.json and of every stack's cdk.tf.json, keyed by path inside the output. */
function digestsOf(deployment: SharedDeployment): Record<string, string> {
  const outdir = sharedSynthesis(deployment);
  const files = [
    'manifest.json',
    ...fs
      .readdirSync(path.join(outdir, 'stacks'))
      .sort()
      .map((stack) => path.posix.join('stacks', stack, 'cdk.tf.json')),
  ];
  const digests = Object.fromEntries(
    files.map((file) => [
      file,
      createHash('sha256')
        .update(fs.readFileSync(path.join(outdir, file)))
        .digest('hex'),
    ]),
  );
  return digests;
}

const actual: Digests = { default: digestsOf('default'), fleet: digestsOf('fleet') };
if (process.env.RECORD_SYNTHESIS_DIGESTS === '1') fs.writeFileSync(DIGESTS_FILE, `${JSON.stringify(actual, null, 2)}\n`);
const recorded = JSON.parse(fs.readFileSync(DIGESTS_FILE, 'utf8')) as Digests;

describe.each(Object.keys(recorded))('the %s deployment', (deployment) => {
  it('synthesizes exactly the recorded bytes, stack by stack', () => {
    expect(actual[deployment]).toEqual(recorded[deployment]);
  });
});
