/** Resolves cdktf references to objects of the same stack (`${kubernetes_service_account_v1.x.metadata[0].name}`) to their names. */
import { block, type SynthesizedStack } from '../../tfjson/terraform-json';

export function resolveName(value: unknown, stack: SynthesizedStack): string | undefined {
  if (typeof value !== 'string') return undefined;
  const reference = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\])?\.name\}$/.exec(value);
  if (!reference) return value;
  const target = stack.json.resource?.[reference[1] ?? '']?.[reference[2] ?? ''];
  const name = target ? block(target.metadata)?.name : undefined;
  return typeof name === 'string' ? name : value;
}
