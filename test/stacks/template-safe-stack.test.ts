/**
 * The deployment's stacks skip cdktf's preparing pass (it only serves references between stacks,
 * which they never make): a reference to another stack's resource fails the synthesis, naming it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App } from 'cdktf';
import { TemplateSafeStack } from '../../stacks/template-safe-stack';

function twoStacks() {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'template-safe-')), skipValidation: false });
  const [first, second] = ['first', 'second'].map((id) => {
    const stack = new TemplateSafeStack(app, id);
    new KubernetesProvider(stack, 'kubernetes', {});
    return stack;
  });
  if (!first || !second) throw new Error('no stacks');
  const namespace = new NamespaceV1(first, 'namespace', { metadata: { name: 'first' } });
  return { app, first, second, namespace };
}

describe('TemplateSafeStack', () => {
  it('writes references to what the stack declares', () => {
    const { app, first, namespace } = twoStacks();
    new ConfigMapV1(first, 'map', { metadata: { name: 'map', namespace: namespace.metadata.name } });
    app.synth();
    const written = fs.readFileSync(path.join(app.outdir, 'stacks', 'first', 'cdk.tf.json'), 'utf8');
    expect(written).toContain('${kubernetes_namespace_v1.namespace.metadata[0].name}');
  });

  it("refuses a reference to another stack's resource, naming it", () => {
    const { app, second, namespace } = twoStacks();
    new ConfigMapV1(second, 'map', { metadata: { name: 'map', namespace: namespace.metadata.name } });
    expect(() => app.synth()).toThrow(/^second refers to what it does not declare \(kubernetes_namespace_v1\.namespace\)/);
  });
});
