/** helmValues computes a release's values once and shares them, frozen, with every rule that reads them. */
import { helmValues } from '../../tfjson/helm-values';
import type { ResourceView } from '../../tfjson/terraform-json';

function release(values: string[], set: { name: string; value: string }[] = []): ResourceView {
  return { address: 'helm_release.chart', type: 'helm_release', body: { chart: 'chart', values, set } };
}

it('merges the values strings, then the set entries, as Helm does', () => {
  const { values, errors } = helmValues(
    release(['a: 1\nnested:\n  keep: true\n  drop: x\n', 'nested:\n  drop: null\n'], [{ name: 'nested.added', value: '2' }]),
  );
  expect(errors).toEqual([]);
  expect(values).toEqual({ a: 1, nested: { keep: true, added: 2 } });
});

it('returns the same frozen result for the same release body: five rules read it, one computes it', () => {
  const view = release(['image:\n  repository: registry.example/app\n  tag: "1.0"\n']);
  const first = helmValues(view);
  expect(helmValues({ ...view })).toBe(first);
  expect(Object.isFrozen(first.values)).toBe(true);
  expect(() => {
    (first.values.image as Record<string, unknown>).tag = 'latest';
  }).toThrow(TypeError);
});

it('computes anew for another body, even at the same address', () => {
  const original = release(['replicas: 1\n']);
  const edited = release(['replicas: 2\n']);
  expect(helmValues(original).values).toEqual({ replicas: 1 });
  expect(helmValues(edited).values).toEqual({ replicas: 2 });
});
