/**
 * What rules judge, shared by several of them: a stack without the subject reports those rules
 * as not applicable (rule.ts, Applicability).
 */
import { declaredNamespaces } from '../../tfjson/namespaces';
import { podSpecs } from '../../tfjson/pod-specs';
import { networkPolicies } from '../../tfjson/reachability';
import { NAMESPACE_TYPES } from '../../tfjson/resource-types';
import { resources } from '../../tfjson/terraform-json';
import type { Applicability } from '../rule';

export const NAMESPACES: Applicability = { subject: 'namespace', presentIn: (stack) => declaredNamespaces([stack]).size > 0 };

/** Namespaces as typed resources (the rules that read their metadata or lifecycle). */
export const TYPED_NAMESPACES: Applicability = {
  subject: 'kubernetes_namespace resource',
  presentIn: (stack) => resources(stack, ...NAMESPACE_TYPES).length > 0,
};

export const NETWORK_POLICIES: Applicability = { subject: 'NetworkPolicy', presentIn: (stack) => networkPolicies(stack).length > 0 };

export const NAMESPACES_OR_POLICIES: Applicability = {
  subject: 'namespace or NetworkPolicy',
  presentIn: (stack, context) => NAMESPACES.presentIn(stack, context) || NETWORK_POLICIES.presentIn(stack, context),
};

/** Workloads whose pod spec the stack shows (charts' pods are judged through their values). */
export const POD_SPECS: Applicability = { subject: 'workload with a pod spec', presentIn: (stack) => podSpecs(stack).length > 0 };
