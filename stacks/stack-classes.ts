/**
 * The deployment's stack classes, in one module that compose-deployment.ts loads only when a
 * stack is built: a synthesis whose stacks all come from the stack cache loads no construct and
 * no provider binding.
 */
export { CompartmentStack } from './compartment-stack';
export { PlatformStack } from './platform-stack';
export { SecretGenerationStack } from './secret-generation-stack';
export { SecretStoreStack } from './secret-store-stack';
