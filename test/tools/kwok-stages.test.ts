import { parseAllDocuments } from 'yaml';
import { DEFAULT_NODE_CAPACITY, kwokStages } from '../engine/support/kwok-stages';

/** The simulated node's status template as kwok reads it (allocatable and capacity lines). */
function nodeResources(stages: string): { allocatable: string[]; capacity: string[] } {
  const initialize = parseAllDocuments(stages)
    .map((document) => document.toJS() as { metadata: { name: string }; spec: { next: { statusTemplate?: string } } })
    .find((stage) => stage.metadata.name === 'node-initialize');
  const template = initialize?.spec.next.statusTemplate ?? '';
  const block = (key: string) => (new RegExp(`^${key}:\\n((?:  .*\\n)+)`, 'm').exec(template)?.[1] ?? '').trimEnd().split('\n');
  return { allocatable: block('allocatable'), capacity: block('capacity') };
}

describe('the simulated node', () => {
  it('offers the default capacity unless told otherwise', () => {
    expect(DEFAULT_NODE_CAPACITY).toEqual({ pods: 250, cpu: 64, memoryGi: 256 });
    const expected = ['  cpu: "64"', '  memory: 256Gi', '  ephemeral-storage: 1Ti', '  pods: "250"'];
    expect(nodeResources(kwokStages(['real']))).toEqual({ allocatable: expected, capacity: expected });
  });

  it('offers what a large fleet needs when asked', () => {
    const expected = ['  cpu: "864"', '  memory: 3456Gi', '  ephemeral-storage: 1Ti', '  pods: "2250"'];
    expect(nodeResources(kwokStages(['real'], 200, { pods: 2250, cpu: 864, memoryGi: 3456 }))).toEqual({
      allocatable: expected,
      capacity: expected,
    });
  });
});
