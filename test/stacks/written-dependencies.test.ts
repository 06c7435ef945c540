/** A construct-level dependency (dropped by cdktf) fails synthesis instead of vanishing from the Terraform JSON. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { loadDeploymentConfig } from '../../model/load-config';
import { composeDeployment } from '../../stacks/compose-deployment';
import { NoConstructDependencies } from '../../stacks/written-dependencies';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';

function compose(): { app: App; all: ReturnType<typeof composeDeployment>['all'] } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'dependencies-')), skipValidation: false });
  return { app, all: composeDeployment(app, loadDeploymentConfig(DEFAULT_CONFIG_FILE), {}, []).all };
}

describe('NoConstructDependencies', () => {
  it('finds none in the composed deployment: every dependency is a depends_on', () => {
    const { all } = compose();
    for (const stack of all) expect(new NoConstructDependencies(stack).validate()).toEqual([]);
  });

  it('fails synthesis on a node.addDependency, naming both constructs', () => {
    const { app, all } = compose();
    const [platform, secretStore] = all;
    if (!platform || !secretStore) throw new Error('no stacks');
    const job = secretStore.node.findAll().find((construct) => construct.node.path.endsWith('openbao-configurator/workload'));
    const release = secretStore.node.findAll().find((construct) => construct.node.path.endsWith('openbao/release'));
    if (!job || !release) throw new Error('configurator Job or OpenBao release not found');
    job.node.addDependency(release);
    expect(new NoConstructDependencies(secretStore).validate()).toEqual([
      expect.stringMatching(
        /openbao-configurator\/workload depends on .*openbao\/release through node.addDependency, which cdktf does not write to Terraform/,
      ),
    ]);
    expect(() => app.synth()).toThrow(/through node.addDependency/);
  });
});
