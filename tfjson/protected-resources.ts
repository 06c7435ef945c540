/**
 * The resources of synthesized stacks that carry `lifecycle.prevent_destroy`: what an ordinary
 * destroy refuses to delete, and what must leave the state (`tofu state rm`) before a
 * deliberate retirement. Read from the JSON, so the list is always the one being deployed.
 */
import { block, resources, type SynthesizedStack } from './terraform-json';

export interface ProtectedResource {
  readonly stack: string;
  readonly address: string;
}

export function protectedResources(stacks: readonly SynthesizedStack[]): ProtectedResource[] {
  return stacks.flatMap((stack) =>
    resources(stack)
      .filter((resource) => block(resource.body.lifecycle)?.prevent_destroy === true)
      .map((resource) => ({ stack: stack.name, address: resource.address })),
  );
}
