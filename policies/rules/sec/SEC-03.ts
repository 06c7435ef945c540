import { DAY_MS, HOUR_MS, parseGoDuration } from '../../../tfjson/go-duration';
import { at, CERT_MANAGER_GROUP, EXTERNAL_SECRETS_GROUP, manifestsOfKind, specOf, type ManifestView } from '../../../tfjson/manifests';
import { blocks, isObject } from '../../../tfjson/terraform-json';
import type { Rule, Violation } from '../../rule';

/** The longest refresh interval of an ExternalSecret or PushSecret. */
const MAX_REFRESH_MS = DAY_MS;
/** CA/Browser Forum maximum leaf lifetime (397 days). */
const MAX_LEAF_DURATION_MS = 9528 * HOUR_MS;

function refreshIntervalProblem(value: unknown): string | undefined {
  if (value === undefined) return 'refreshInterval is absent';
  const interval = parseGoDuration(value);
  if (interval === undefined) return `refreshInterval ${JSON.stringify(value)} is not a Go duration`;
  if (interval <= 0) return `refreshInterval ${JSON.stringify(value)} never refreshes`;
  if (interval > MAX_REFRESH_MS) return `refreshInterval ${JSON.stringify(value)} is longer than 24h`;
  return undefined;
}

/** Every data source of an ExternalSecret is a generator (and there is at least one). */
function onlyGenerated(spec: Record<string, unknown>): boolean {
  const sources = [...blocks(spec.data), ...blocks(spec.dataFrom)];
  return sources.length > 0 && sources.every((entry) => isObject(at(entry, 'sourceRef', 'generatorRef')));
}

function externalSecret(view: ManifestView): string[] {
  const spec = specOf(view);
  const policy = spec.refreshPolicy;
  switch (policy) {
    case 'Periodic': {
      const problem = refreshIntervalProblem(spec.refreshInterval);
      return problem ? [problem] : [];
    }
    case 'CreatedOnce': {
      const problems: string[] = [];
      if (!onlyGenerated(spec))
        problems.push('refreshPolicy CreatedOnce is allowed only for generated data (dataFrom[].sourceRef.generatorRef)');
      if (at(spec, 'target', 'immutable') !== true) problems.push('refreshPolicy CreatedOnce requires target.immutable: true');
      return problems;
    }
    case undefined:
      return ['refreshPolicy is absent (must be explicit: Periodic, or CreatedOnce for immutable generated data)'];
    default:
      return [`refreshPolicy ${JSON.stringify(policy)} is not allowed (Periodic, or CreatedOnce for immutable generated data)`];
  }
}

function pushSecret(view: ManifestView): string[] {
  const problem = refreshIntervalProblem(specOf(view).refreshInterval);
  return problem ? [problem] : [];
}

function certificate(view: ManifestView): string[] {
  const spec = specOf(view);
  const problems: string[] = [];
  const duration = parseGoDuration(spec.duration);
  const renewBefore = parseGoDuration(spec.renewBefore);
  if (duration === undefined || duration <= 0)
    problems.push(`duration ${JSON.stringify(spec.duration ?? '(absent)')} is not an explicit positive Go duration`);
  if (renewBefore === undefined || renewBefore <= 0)
    problems.push(`renewBefore ${JSON.stringify(spec.renewBefore ?? '(absent)')} is not an explicit positive Go duration`);
  if (duration !== undefined && renewBefore !== undefined && renewBefore >= duration)
    problems.push(`renewBefore ${String(spec.renewBefore)} is not shorter than duration ${String(spec.duration)}`);
  const rotation = at(spec, 'privateKey', 'rotationPolicy');
  const isCA = spec.isCA === true;
  if (rotation === undefined) problems.push('privateKey.rotationPolicy is absent');
  else if (rotation !== 'Always' && !(isCA && rotation === 'Never'))
    problems.push(
      `privateKey.rotationPolicy ${JSON.stringify(rotation)} is not allowed${isCA ? '' : ' for a leaf certificate (must be Always)'}`,
    );
  if (!isCA && duration !== undefined && duration > MAX_LEAF_DURATION_MS)
    problems.push(`duration ${String(spec.duration)} is longer than 397 days (9528h) for a leaf certificate`);
  return problems;
}

/**
 * Delivered secrets refresh at least daily (or are generated once into an immutable Secret);
 * certificates have an explicit lifetime and renewal window, and leaf keys rotate on renewal.
 */
export const rule: Rule = {
  id: 'SEC-03',
  title: 'Secrets and certificates rotate on a declared interval',
  level: 'error',
  lesson:
    'The leaked credentials stayed valid long after the leak; a credential that rotates limits how long a stolen copy is worth anything.',
  references: { cisKubernetes: '5.4.2', nsaCisa: 'Secrets: rotate credentials and certificates', anssi: 'R26' },
  fix: 'ExternalSecret: refreshPolicy Periodic with refreshInterval <= 24h (CreatedOnce only for generated, immutable data); PushSecret: refreshInterval <= 24h; Certificate: explicit duration (<= 9528h for leaves) and renewBefore, privateKey.rotationPolicy Always (Never only for a CA).',
  appliesTo: {
    subject: 'ExternalSecret, PushSecret or Certificate',
    presentIn: (stack) =>
      manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'ExternalSecret', 'PushSecret').length > 0 ||
      manifestsOfKind(stack, CERT_MANAGER_GROUP, 'Certificate').length > 0,
  },
  check: (stack) => {
    const violations: Violation[] = [];
    const report = (view: ManifestView, problems: string[]) =>
      problems.forEach((problem) => violations.push({ address: view.resource.address, message: `${view.label}: ${problem}` }));
    for (const view of manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'ExternalSecret')) report(view, externalSecret(view));
    for (const view of manifestsOfKind(stack, EXTERNAL_SECRETS_GROUP, 'PushSecret')) report(view, pushSecret(view));
    for (const view of manifestsOfKind(stack, CERT_MANAGER_GROUP, 'Certificate')) report(view, certificate(view));
    return violations;
  },
};
