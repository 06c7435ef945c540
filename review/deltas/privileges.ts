/**
 * Privilege facts: pod and container security contexts, host namespaces, service-account token
 * mounting, Kubernetes RBAC, the privilege settings in Helm values, and who may read or write
 * which OpenBao path (the policies and roles the configurator applies).
 */
import { parseJson } from '../../config/bounded-parse';
import { helmReleases, helmValues } from '../../tfjson/helm-values';
import { manifests } from '../../tfjson/manifests';
import { parseHcl } from '../../tfjson/openbao-config';
import { podSpecs } from '../../tfjson/pod-specs';
import {
  CLUSTER_ROLE_BINDING_TYPES,
  CLUSTER_ROLE_TYPES,
  DEFAULT_SERVICE_ACCOUNT_TYPES,
  ROLE_BINDING_TYPES,
  ROLE_TYPES,
  SERVICE_ACCOUNT_TYPES,
} from '../../tfjson/resource-types';
import { configMapFiles } from '../../tfjson/synapse-config';
import { block, blocks, isObject, resources, type JsonObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { factValue, flattenSettings, type Fact } from '../facts';
import { objectLabel } from '../object-identity';
import { resolveName } from './references';

const POD_SETTINGS = ['automount_service_account_token', 'host_network', 'host_pid', 'host_ipc', 'share_process_namespace'] as const;
/** Helm values paths that grant or remove privilege. */
const HELM_PRIVILEGE_PATH =
  /securityContext|capabilities|privileged|allowPrivilegeEscalation|runAsUser|runAsNonRoot|hostNetwork|hostPID|hostIPC|hostPort|rbac|serviceAccount|automount/i;

function podFacts(stack: SynthesizedStack): Fact[] {
  const facts: Fact[] = [];
  for (const { resource, podSpec, containers } of podSpecs(stack)) {
    const subject = objectLabel(resource, stack);
    const add = (setting: string, value: string) => facts.push({ subject, setting, value });
    for (const setting of POD_SETTINGS) add(setting, podSpec[setting] === undefined ? '(provider default)' : factValue(podSpec[setting]));
    add('service_account_name', resolveName(podSpec.service_account_name, stack) ?? '(default)');
    flattenSettings(block(podSpec.security_context) ?? {}, 'security_context', add);
    for (const container of containers) {
      const name = typeof container.name === 'string' ? container.name : '?';
      flattenSettings(block(container.security_context) ?? {}, `container "${name}" security_context`, add);
    }
  }
  return facts;
}

function serviceAccountFacts(stack: SynthesizedStack): Fact[] {
  return resources(stack, ...SERVICE_ACCOUNT_TYPES, ...DEFAULT_SERVICE_ACCOUNT_TYPES).map((account) => ({
    subject: objectLabel(account, stack),
    setting: 'automount_service_account_token',
    value:
      account.body.automount_service_account_token === undefined
        ? '(provider default)'
        : factValue(account.body.automount_service_account_token),
  }));
}

const list = (value: unknown) => (Array.isArray(value) ? value.map((item) => factValue(item)).sort() : []);

function ruleFact(subject: string, rule: JsonObject, camel: boolean): Fact {
  const key = (snake: string, camelName: string) => rule[camel ? camelName : snake];
  const groups = list(key('api_groups', 'apiGroups')).map((group) => group || 'core');
  const target = list(key('resources', 'resources')).concat(list(key('non_resource_urls', 'nonResourceURLs')));
  const names = list(key('resource_names', 'resourceNames'));
  return {
    subject,
    setting: `may ${groups.join(',')}/${target.join(',')}${names.length > 0 ? ` named ${names.join(',')}` : ''}`,
    value: list(key('verbs', 'verbs')).join(', '),
  };
}

function bindingFact(subject: string, roleRef: JsonObject | undefined, subjects: JsonObject[]): Fact {
  const who = subjects
    .map((entry) => `${factValue(entry.kind)} ${entry.namespace ? `${factValue(entry.namespace)}/` : ''}${factValue(entry.name)}`)
    .sort();
  return { subject, setting: `grants ${factValue(roleRef?.kind)} ${factValue(roleRef?.name)}`, value: who.join(', ') };
}

function rbacFacts(stack: SynthesizedStack): Fact[] {
  const facts: Fact[] = [];
  for (const role of resources(stack, ...ROLE_TYPES, ...CLUSTER_ROLE_TYPES)) {
    for (const rule of blocks(role.body.rule)) facts.push(ruleFact(objectLabel(role, stack), rule, false));
  }
  for (const binding of resources(stack, ...ROLE_BINDING_TYPES, ...CLUSTER_ROLE_BINDING_TYPES)) {
    facts.push(bindingFact(objectLabel(binding, stack), block(binding.body.role_ref), blocks(binding.body.subject)));
  }
  for (const view of manifests(stack).filter((candidate) => candidate.group === 'rbac.authorization.k8s.io')) {
    if (view.kind === 'Role' || view.kind === 'ClusterRole')
      for (const rule of blocks(view.object.rules)) facts.push(ruleFact(view.label, rule, true));
    if (view.kind === 'RoleBinding' || view.kind === 'ClusterRoleBinding')
      facts.push(bindingFact(view.label, block(view.object.roleRef), blocks(view.object.subjects)));
  }
  return facts;
}

function helmPrivilegeFacts(stack: SynthesizedStack): Fact[] {
  return helmReleases(stack).flatMap((release) => {
    const subject = objectLabel(release, stack);
    const facts: Fact[] = [];
    flattenSettings(helmValues(release).values, '', (setting, value) => {
      if (HELM_PRIVILEGE_PATH.test(setting)) facts.push({ subject, setting: `values ${setting}`, value });
    });
    return facts;
  });
}

/** OpenBao policies (`policy.<name>.hcl`) and Kubernetes-auth roles (`role.<name>.json`) shipped to the configurator. */
function secretAccessFacts(stack: SynthesizedStack): Fact[] {
  const facts: Fact[] = [];
  for (const file of configMapFiles(stack)) {
    const policy = /^policy\.(.+)\.hcl$/.exec(file.file);
    const role = /^role\.(.+)\.json$/.exec(file.file);
    try {
      if (policy) {
        for (const entry of blocks(parseHcl(file.text).path)) {
          for (const [path, body] of Object.entries(entry)) {
            for (const rule of blocks(body))
              facts.push({ subject: `OpenBao policy ${policy[1]}`, setting: `path "${path}"`, value: list(rule.capabilities).join(', ') });
          }
        }
      } else if (role) {
        const parsed = parseJson(file.text);
        if (isObject(parsed))
          flattenSettings(parsed, '', (setting, value) => facts.push({ subject: `OpenBao role ${role[1]}`, setting, value }));
      }
    } catch (error) {
      facts.push({ subject: `OpenBao ${file.file}`, setting: 'unreadable', value: (error as Error).message });
    }
  }
  return facts;
}

export function privilegeFacts(stacks: readonly SynthesizedStack[]): Fact[] {
  return stacks.flatMap((stack) => [
    ...podFacts(stack),
    ...serviceAccountFacts(stack),
    ...rbacFacts(stack),
    ...helmPrivilegeFacts(stack),
    ...secretAccessFacts(stack),
  ]);
}
