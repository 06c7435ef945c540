import { containerAddress, containerSecurityContext, podSpecs } from '../../../tfjson/pod-specs';
import { blocks } from '../../../tfjson/terraform-json';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** Root filesystems are read-only; writable paths are emptyDirs with a size limit. */
export const rule: Rule = {
  id: 'POD-08',
  title: 'Read-only root filesystem; writable paths are size-limited emptyDirs',
  level: 'error',
  lesson: 'A writable image lets an intruder persist tools; an unbounded emptyDir lets them stage bulk exfiltration or fill the node.',
  references: { cisKubernetes: '5.7 (general)', nsaCisa: 'Immutable container file systems', anssi: 'R33', checkov: ['CKV_K8S_22'] },
  fix: 'Set security_context.read_only_root_filesystem = true and empty_dir.size_limit on every emptyDir.',
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) => {
      const violations: Violation[] = view.containers
        .filter((container) => containerSecurityContext(container).read_only_root_filesystem !== true)
        .map((container) => ({ address: containerAddress(view, container), message: 'read_only_root_filesystem is not true' }));
      for (const volume of blocks(view.podSpec.volume)) {
        const emptyDir = volume.empty_dir;
        if (emptyDir === undefined) continue;
        const limit = blocks(emptyDir)[0]?.size_limit;
        if (typeof limit !== 'string' || !/^[1-9][0-9]*(Ki|Mi|Gi|M|G|k)?$/.test(limit)) {
          violations.push({ address: `${view.resource.address} volume "${String(volume.name)}"`, message: 'emptyDir has no size_limit' });
        }
      }
      return violations;
    }),
};
