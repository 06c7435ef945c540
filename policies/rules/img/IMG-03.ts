import { helmReleases } from '../../../tfjson/helm-values';
import { isObject, type ResourceView, type SynthesizedStack } from '../../../tfjson/terraform-json';
import type { AuditContext, Rule, Violation } from '../../rule';

/** An exact semantic version, optionally `v`-prefixed: no ranges, no wildcards, no "latest". */
const EXACT_SEMVER =
  /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

function providerViolations(stack: SynthesizedStack): Violation[] {
  const violations: Violation[] = [];
  const required = stack.json.terraform?.required_providers;
  const providers = isObject(required) ? Object.entries(required) : [];
  for (const [name, pin] of providers) {
    const address = `terraform.required_providers.${name}`;
    if (!isObject(pin)) {
      violations.push({ address, message: 'not an object with source and version' });
      continue;
    }
    if (typeof pin.source !== 'string' || pin.source.split('/').length !== 3)
      violations.push({ address, message: `source ${JSON.stringify(pin.source ?? null)} is not a full host/namespace/name address` });
    if (typeof pin.version !== 'string' || !/^=?\s*[0-9]+\.[0-9]+\.[0-9]+$/.test(pin.version))
      violations.push({ address, message: `version ${JSON.stringify(pin.version ?? null)} is not exact` });
  }
  return violations;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

function chartViolations(release: ResourceView, context: AuditContext): Violation[] {
  const violations: Violation[] = [];
  const { version, repository, chart, devel } = release.body;
  const report = (message: string) => violations.push({ address: release.address, message });
  if (typeof version !== 'string' || !EXACT_SEMVER.test(version))
    report(`chart version ${JSON.stringify(version ?? null)} is not an exact version`);
  if (devel === true) report('devel is true (development versions may be installed)');
  // Where the chart comes from: the repository, or an oci:// chart reference's parent.
  let source: string | undefined;
  if (repository === undefined || repository === '') {
    if (typeof chart === 'string' && chart.startsWith('oci://')) source = trimSlash(chart).split('/').slice(0, -1).join('/');
    else report(`chart ${JSON.stringify(chart ?? null)} has no repository and is not an oci:// reference`);
  } else if (typeof repository !== 'string' || !/^(https|oci):\/\/[^/]/.test(repository))
    report(`repository ${JSON.stringify(repository)} is not an https:// or oci:// URL`);
  else source = trimSlash(repository);
  const allowed = context.facts?.chartRepositories.map(trimSlash);
  if (allowed && source !== undefined && !allowed.includes(source))
    report(`repository "${source}" is not in platform.charts.allowedRepositories`);
  return violations;
}

/**
 * Every required provider has a full source address (host/namespace/name) and an exact version;
 * every Helm chart is an exact version from an https:// or oci:// repository the site allows,
 * without development versions.
 */
export const rule: Rule = {
  id: 'IMG-03',
  title: 'Providers (and charts) are pinned to exact versions from full source addresses',
  level: 'error',
  lesson: 'A floating provider or chart version changes what `apply` does without any change under review.',
  references: { nsaCisa: 'Supply chain', anssi: 'R24' },
  siteFacts: {
    facts: ['chartRepositories'],
    unjudged: "that charts come from the site's chart repositories (any https:// or oci:// repository is accepted)",
  },
  fix: 'Write terraform.required_providers.<name> = { source = "<host>/<namespace>/<name>", version = "<x.y.z>" }; give every helm_release an exact version, an https:// or oci:// repository from platform.charts.allowedRepositories, and devel = false.',
  appliesTo: {
    subject: 'required provider or Helm release',
    presentIn: (stack) => isObject(stack.json.terraform?.required_providers) || helmReleases(stack).length > 0,
  },
  check: (stack, context) => [...providerViolations(stack), ...helmReleases(stack).flatMap((release) => chartViolations(release, context))],
};
