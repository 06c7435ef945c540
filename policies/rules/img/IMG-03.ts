import type { Rule, Violation } from '../../rule';
import { isObject } from '../../terraform-json';

/** Every required provider has a full source address (host/namespace/name) and an exact version. */
export const IMG_03: Rule = {
  id: 'IMG-03',
  title: 'Providers (and charts) are pinned to exact versions from full source addresses',
  level: 'error',
  lesson: 'A floating provider version changes what `apply` does without any change under review.',
  references: { nsaCisa: 'Supply chain', anssi: 'R24' },
  fix: 'Write terraform.required_providers.<name> = { source = "<host>/<namespace>/<name>", version = "<x.y.z>" }.',
  check: (stack) => {
    const violations: Violation[] = [];
    const required = stack.json.terraform?.required_providers;
    const providers = isObject(required) ? Object.entries(required) : [];
    for (const [name, pin] of providers) {
      const address = `terraform.required_providers.${name}`;
      if (!isObject(pin)) {
        violations.push({ address, message: 'not an object with source and version' });
        continue;
      }
      if (typeof pin.source !== 'string' || pin.source.split('/').length !== 3) violations.push({ address, message: `source ${JSON.stringify(pin.source ?? null)} is not a full host/namespace/name address` });
      if (typeof pin.version !== 'string' || !/^=?\s*[0-9]+\.[0-9]+\.[0-9]+$/.test(pin.version)) violations.push({ address, message: `version ${JSON.stringify(pin.version ?? null)} is not exact` });
    }
    return violations;
  },
};
