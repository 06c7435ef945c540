/**
 * Decomposition of the benchmark's headline: loads every module the main job loads (cdktf, the
 * providers' resource classes, the config schema, the constructs, the policy rules) and
 * synthesizes nothing. Its cost is the part of `node dist/main.js` that is module loading.
 */
import '../../stacks/synthesize-deployment';
// Loaded by the first stack built (a run whose stacks all come from the stack cache loads none).
import '../../stacks/stack-classes';

process.stdout.write('loaded the app modules\n');
