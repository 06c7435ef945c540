import { forbiddenSecretSources } from '../../checks/secret-sources';
import type { Rule } from '../../rule';
import { scanJson } from '../../secrets/secret-scan';

/**
 * No secret literal anywhere in the synthesized configuration (which is also what lands in
 * state), and no resource that generates or writes a secret value through Terraform.
 */
export const rule: Rule = {
  id: 'SEC-01',
  title: 'No secret literal in synthesized output',
  level: 'error',
  lesson: 'LDAP credentials hard-coded in the deployment leaked with it.',
  references: { cisKubernetes: '5.4.1', nsaCisa: 'Secrets: keep them out of configuration', anssi: 'R26', checkov: ['CKV_SECRET_6'] },
  fix: 'Reference the secret as a mounted file (a *_path option) delivered in-cluster; never write its value into code, config or Terraform, nor generate it with a Terraform resource.',
  check: (stack) => [
    // The whole document: resources, providers, backend, outputs, locals and variables alike.
    ...scanJson(stack.json, '$').map((hit) => ({ address: hit.location, message: `${hit.reason} (${hit.preview})` })),
    ...forbiddenSecretSources(stack),
  ],
};
