import { podSpecs } from '../../../tfjson/pod-specs';
import { block, blocks } from '../../../tfjson/terraform-json';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** No container (init containers included) takes a Secret through its environment. */
export const rule: Rule = {
  id: 'SEC-05',
  title: 'Secrets reach pods as files, never environment variables',
  level: 'error',
  lesson:
    'Environment variables end up in crash dumps, /proc, debug endpoints and child processes; a mounted file stays where it is mounted.',
  references: {
    cisKubernetes: '5.4.1',
    nsaCisa: 'Secrets: mount as files, not environment variables',
    anssi: 'R26',
    checkov: ['CKV_K8S_35'],
  },
  fix: 'Mount the Secret as a read-only volume and point the software at the file (a *_path / *_file option).',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      view.containers.flatMap((container) => {
        const address = `${view.resource.address} container "${String(container.name ?? '?')}"`;
        const violations: Violation[] = [];
        for (const variable of blocks(container.env)) {
          const reference = block(block(variable.value_from)?.secret_key_ref);
          if (reference)
            violations.push({
              address,
              message: `env "${String(variable.name)}" reads Secret "${String(reference.name)}" key "${String(reference.key)}"`,
            });
        }
        for (const source of blocks(container.env_from)) {
          const reference = block(source.secret_ref);
          if (reference) violations.push({ address, message: `env_from imports every key of Secret "${String(reference.name)}"` });
        }
        return violations;
      }),
    ),
};
