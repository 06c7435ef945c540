/** The case table of APP-01 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires, firesInWorker, rawLine } from '../../../test/policies/case-helpers/app';
import { synapseConfigFile, synapseContainer } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import { R, remove } from '../../../test/policies/fixtures';

export const cases: RuleCases = {
  bad: [
    fires('enable_registration true', 'enable_registration', true, 'enable_registration is true, must be false'),
    fires('enable_registration absent', 'enable_registration', undefined, 'enable_registration is (absent), must be false'),
    {
      name: 'enable_registration: on (YAML 1.1 boolean)',
      mutate: rawLine('enable_registration: false', 'enable_registration: on'),
      address: synapseConfigFile,
      message: 'enable_registration is true, must be false',
    },
    fires(
      'registration without verification',
      'enable_registration_without_verification',
      true,
      'enable_registration_without_verification is true',
    ),
    fires(
      'registration_shared_secret_path set',
      'registration_shared_secret_path',
      '/secrets/keys/registration',
      'registration_shared_secret_path is set (anyone holding the file can create accounts',
    ),
    fires('registration_shared_secret set', 'registration_shared_secret', '${var.not_a_literal}', 'registration_shared_secret is set'),
    fires('guest access on', 'allow_guest_access', true, 'allow_guest_access is true, must be false'),
    fires('allow_guest_access absent', 'allow_guest_access', undefined, 'allow_guest_access is (absent)'),
    firesInWorker('worker file re-opening registration', 'enable_registration', true, 'enable_registration is true, must be false'),
    {
      name: 'Synapse runs, but its configuration is not in the stack',
      mutate: (j) => remove(j, R.synapseConfig),
      address: synapseContainer,
      message: 'runs Synapse, but no Synapse configuration',
    },
  ],
  good: [
    {
      name: 'enable_registration: off (YAML 1.1 boolean false)',
      mutate: rawLine('enable_registration: false', 'enable_registration: off'),
    },
    { name: 'worker file without registration settings (fixture)', mutate: () => undefined },
  ],
  notApplicable: [
    {
      name: 'no Synapse: neither its configuration nor a process',
      mutate: (j) => {
        remove(j, R.synapseConfig);
        remove(j, R.synapseDeployment);
      },
    },
  ],
};
