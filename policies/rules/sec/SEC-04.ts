import { argv as argvOf } from '../../../tfjson/invocations';
import { containerAddress, podSpecs, type PodSpecView } from '../../../tfjson/pod-specs';
import { synapseConfigFiles, synapseStart } from '../../../tfjson/synapse-config';
import { at, blocks, isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { SYNAPSE } from '../../checks/synapse-settings';
import type { Rule, Violation } from '../../rule';

const NO_SECRETS_FLAG = '--no-secrets-in-config';
/** Top-level Synapse options that hold a secret inline; each has a `*_path`/`*_file` counterpart. */
const INLINE_SECRET_KEYS = [
  'macaroon_secret_key',
  'form_secret',
  'registration_shared_secret',
  'worker_replication_secret',
  'signing_key',
  'turn_shared_secret',
  'recaptcha_private_key',
] as const;
/** Nested inline secrets: database password, Redis password, SMTP password. */
const NESTED_SECRET_KEYS = [
  ['database', 'args', 'password'],
  ['redis', 'password'],
  ['email', 'smtp_pass'],
] as const;

function containerViolations(view: PodSpecView): Violation[] {
  return view.containers.flatMap((container) => {
    const address = containerAddress(view, container);
    const start = synapseStart(container);
    // Without a command the Synapse image runs its own entrypoint, which does not pass the flag.
    if (start === 'image-entrypoint')
      return [{ address, message: `runs the Synapse image entrypoint; run python -m synapse.app.<app> ... ${NO_SECRETS_FLAG} explicitly` }];
    const hasFlag = argvOf(container).some((word) => word.split(/\s+/).includes(NO_SECRETS_FLAG));
    return start === 'module' && !hasFlag ? [{ address, message: `runs synapse.app.* without ${NO_SECRETS_FLAG}` }] : [];
  });
}

function inlineSecrets(config: JsonObject): string[] {
  const found: string[] = INLINE_SECRET_KEYS.filter((key) => key in config);
  for (const path of NESTED_SECRET_KEYS) {
    const parent = at(config, ...path.slice(0, -1));
    if (isObject(parent) && (path[path.length - 1] ?? '') in parent) found.push(path.join('.'));
  }
  blocks(config.modules).forEach((module, index) => {
    const moduleConfig = module.config;
    if (isObject(moduleConfig) && 'bind_password' in moduleConfig) found.push(`modules[${index}].config.bind_password`);
  });
  return found;
}

/**
 * Synapse reads every secret from a mounted file: each Synapse process runs with
 * --no-secrets-in-config (which makes Synapse itself refuse inline secrets), and no Synapse
 * config in a ConfigMap carries one.
 */
export const rule: Rule = {
  id: 'SEC-04',
  title: 'Synapse reads every secret from a file',
  level: 'error',
  lesson: 'Credentials written into configuration were copied wherever the configuration went.',
  references: { cisKubernetes: '5.4.1', nsaCisa: 'Secrets: keep them out of configuration', anssi: 'R26' },
  fix: `Use the *_path / *_file options (macaroon_secret_key_path, form_secret_path, signing_key_path, database.args.passfile, redis.password_path, bind_password_file, ...) on mounted Secrets and run Synapse with ${NO_SECRETS_FLAG}.`,
  appliesTo: SYNAPSE,
  check: (stack) => {
    const violations: Violation[] = podSpecs(stack).flatMap(containerViolations);
    for (const file of synapseConfigFiles(stack)) {
      for (const key of inlineSecrets(file.own))
        violations.push({ address: file.address, message: `Synapse config holds the inline secret ${key}; use its *_path/*_file option` });
    }
    return violations;
  },
};
