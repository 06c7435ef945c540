/**
 * What the deep imports save: the app's modules (as load-only.ts) plus the providers' index
 * modules, which load every generated resource class of both providers. The app imports only
 * the classes it uses (`@cdktf/provider-kubernetes/lib/<resource>`; eslint.config.mjs refuses
 * the index), so this row is the cost it avoids.
 */
// eslint-disable-next-line no-restricted-imports -- measures what the index costs
import '@cdktf/provider-helm';
// eslint-disable-next-line no-restricted-imports -- measures what the index costs
import '@cdktf/provider-kubernetes';
import '../../stacks/synthesize-deployment';
// Loaded by the first stack built (a run whose stacks all come from the stack cache loads none).
import '../../stacks/stack-classes';

process.stdout.write('loaded the app modules and the providers through their index\n');
