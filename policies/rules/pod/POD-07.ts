import { podSpecs } from '../../../tfjson/pod-specs';
import { blocks, isObject } from '../../../tfjson/terraform-json';
import { POD_SPECS } from '../../checks/subjects';
import type { Rule, Violation } from '../../rule';

/** Volume sources a pod may use; everything else (hostPath, nfs, iscsi, ...) is refused. */
const ALLOWED_VOLUME_SOURCES = [
  'config_map',
  'secret',
  'empty_dir',
  'persistent_volume_claim',
  'projected',
  'downward_api',
  'csi',
  'ephemeral',
] as const;

/** Pods use only the volume types of the restricted profile. */
export const rule: Rule = {
  id: 'POD-07',
  title: 'Pods use only allowed volume types',
  level: 'error',
  lesson: 'A hostPath or network-filesystem volume bypasses compartment storage and its encryption.',
  references: {
    podSecurityStandards: 'Restricted: Volume Types',
    cisKubernetes: '5.2 (volume types)',
    nsaCisa: 'Pod security: restrict volumes',
    anssi: 'R32',
  },
  fix: `Use only ${ALLOWED_VOLUME_SOURCES.join(', ')} volumes.`,
  appliesTo: POD_SPECS,
  check: (stack) =>
    podSpecs(stack).flatMap((view) =>
      blocks(view.podSpec.volume).flatMap((volume): Violation[] => {
        const sources = Object.keys(volume).filter((key) => key !== 'name' && (isObject(volume[key]) || Array.isArray(volume[key])));
        const forbidden = sources.filter((source) => !(ALLOWED_VOLUME_SOURCES as readonly string[]).includes(source));
        return forbidden.map((source) => ({
          address: `${view.resource.address} volume "${String(volume.name)}"`,
          message: `volume type ${source} is not allowed`,
        }));
      }),
    ),
};
