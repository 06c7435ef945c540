/**
 * The benchmark's baseline: an empty cdktf app (one TerraformStack with the kubernetes
 * provider), synthesized into CDKTF_OUTDIR exactly as main.ts synthesizes the deployment.
 */
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack } from 'cdktf';

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out', skipValidation: false });
const stack = new TerraformStack(app, 'empty');
new KubernetesProvider(stack, 'kubernetes', {});
app.synth();
process.stdout.write(`synthesized 1 stacks (empty baseline)\n`);
