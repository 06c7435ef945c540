import { podSpecs, type PodSpecView } from '../../../tfjson/pod-specs';
import { block, blocks, namespaceOf, type JsonObject } from '../../../tfjson/terraform-json';
import type { Rule } from '../../rule';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface ClaimUse {
  readonly address: string;
  /** A scheduled job that mounts the claim read-only everywhere and runs on its owner's node: a backup reader. */
  readonly backupReader: boolean;
}

/** Required pod affinity on the node (`kubernetes.io/hostname`): the job's pod runs where the claim's owner runs. */
function runsOnOwnersNode(view: PodSpecView): boolean {
  const required = blocks(block(block(view.podSpec.affinity)?.pod_affinity)?.required_during_scheduling_ignored_during_execution);
  return required.some((term) => term.topology_key === 'kubernetes.io/hostname' && blocks(term.label_selector).length > 0);
}

/**
 * The job's main containers mount the claim read-only, if at all; only an init container (an
 * export step whose tool refuses a read-only directory, like slapcat) may mount it writable.
 */
function readsOnly(view: PodSpecView, volume: JsonObject): boolean {
  const mountsOf = (containers: JsonObject[]) =>
    containers.flatMap((container) => blocks(container.volume_mount)).filter((mount) => mount.name === volume.name);
  const main = mountsOf(blocks(view.podSpec.container));
  if (block(volume.persistent_volume_claim)?.read_only === true) return true;
  return main.every((mount) => mount.read_only === true);
}

/**
 * A persistent volume claim is mounted by at most one workload; besides its owner, only a
 * CronJob on the owner's node whose main container mounts it read-only, if at all, may use it
 * (a store's backup job: its export step may need the directory writable to open it).
 */
export const rule: Rule = {
  id: 'STO-03',
  title: 'Each volume belongs to exactly one workload',
  level: 'error',
  lesson: 'A volume shared between workloads is a path around the compartment boundary.',
  references: { nsaCisa: 'Data protection', anssi: 'R38' },
  fix: 'Give each workload its own claim (ReadWriteOncePod); a backup CronJob may use its store only on the owner node, its main container read-only.',
  appliesTo: {
    subject: 'volume claim mounted by a workload',
    presentIn: (stack) =>
      podSpecs(stack).some((view) => blocks(view.podSpec.volume).some((volume) => block(volume.persistent_volume_claim) !== undefined)),
  },
  check: (stack) => {
    const users = new Map<string, ClaimUse[]>();
    // A StatefulSet's pods own the claims its controller stamps from each template: <template>-<set>-<ordinal>.
    const stamped: { namespace: string; pattern: RegExp; address: string }[] = [];
    for (const view of podSpecs(stack)) {
      if (!view.resource.type.startsWith('kubernetes_stateful_set')) continue;
      const spec = block(view.resource.body.spec);
      const set = block(view.resource.body.metadata)?.name;
      for (const template of blocks(spec?.volume_claim_template)) {
        const name = block(template.metadata)?.name;
        if (typeof name === 'string' && typeof set === 'string')
          stamped.push({
            namespace: namespaceOf(view.resource, stack) ?? '?',
            pattern: new RegExp(`^${escapeRegExp(`${name}-${set}-`)}[0-9]+$`),
            address: view.resource.address,
          });
      }
    }
    for (const view of podSpecs(stack)) {
      for (const volume of blocks(view.podSpec.volume)) {
        const claim = block(volume.persistent_volume_claim)?.claim_name;
        // Claim names are unique per namespace only.
        const key = `${namespaceOf(view.resource, stack) ?? '?'}/${String(claim)}`;
        const backupReader = view.resource.type.startsWith('kubernetes_cron_job') && readsOnly(view, volume) && runsOnOwnersNode(view);
        if (typeof claim === 'string') users.set(key, [...(users.get(key) ?? []), { address: view.resource.address, backupReader }]);
      }
    }
    return [...users.entries()].flatMap(([claim, uses]) => {
      const [namespace = '', claimName = ''] = claim.split('/');
      const setOwners = stamped.filter((set) => set.namespace === namespace && set.pattern.test(claimName)).map((set) => set.address);
      const owners = [...new Set([...setOwners, ...uses.filter((use) => !use.backupReader).map((use) => use.address)])];
      const readers = [...new Set(uses.filter((use) => use.backupReader).map((use) => use.address))];
      // A backup reader alone shares nothing (its claim's owner is elsewhere or gone: the job cannot start).
      return owners.length > 1 ? [{ address: `claim "${claim}"`, message: `mounted by ${[...owners, ...readers].join(', ')}` }] : [];
    });
  },
};
