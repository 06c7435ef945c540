/**
 * Decomposition of the benchmark's headline: loads every module the main job loads (cdktf, the
 * providers' resource classes, the config schema, the constructs, the policy rules) and
 * synthesizes nothing. Its cost is the part of `node dist/main.js` that is module loading.
 */
import '../../stacks/synthesize-deployment';

process.stdout.write('loaded the app modules\n');
