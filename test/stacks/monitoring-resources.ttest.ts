/**
 * The scraping and alerting resources as synthesized (one PodMonitor per compartment with scrape
 * targets, one PrometheusRule per homeserver), validated against the Prometheus Operator's own
 * CRDs (v0.91.0, from the Go module proxy) the way the API server does it. What they hold is
 * checked in monitoring-resources.test.ts.
 */
import { crdValidationErrors, prometheusOperatorCrdFiles } from '../support/kube-tools';
import { monitoringObjects, synthesize } from './monitoring-fixture';

// The first run on a machine builds kube-check from Go modules (minutes).
jest.setTimeout(30 * 60_000);

describe.each([
  ['default deployment', 'default'],
  ['3-homeserver fleet', 'fleet'],
] as const)('%s', (_name, deployment) => {
  const objects = monitoringObjects(synthesize(deployment));

  it('passes schema, unknown-field and CEL validation against the Prometheus Operator CRDs', () => {
    const results = crdValidationErrors(
      objects.map(({ object }) => object),
      prometheusOperatorCrdFiles(),
    );
    expect(results.filter((result) => result.errors.length > 0)).toEqual([]);
    expect(results).toHaveLength(objects.length);
  });
});

describe('the CRD check is a real check on these objects', () => {
  const objects = monitoringObjects(synthesize('default')).map(({ object }) => object);
  const podMonitor = objects.find((object) => object.kind === 'PodMonitor')!;
  const rule = objects.find((object) => object.kind === 'PrometheusRule')!;
  type Spec = Record<string, unknown>;
  const endpoint = (spec: Spec) => (spec.podMetricsEndpoints as Spec[])[0]!;
  const firstRule = (spec: Spec) => ((spec.groups as Spec[])[0]!.rules as Spec[])[0]!;
  it.each([
    ['a PodMonitor with a misspelt field', podMonitor, (spec: Spec) => (endpoint(spec).targetPort_ = 'metrics')],
    ['a PodMonitor with an unknown scheme', podMonitor, (spec: Spec) => (endpoint(spec).scheme = 'ftp')],
    ['a PrometheusRule whose hold time is not a duration', rule, (spec: Spec) => (firstRule(spec).for = 'five minutes')],
    ['a PrometheusRule group without a name', rule, (spec: Spec) => delete (spec.groups as Spec[])[0]!.name],
  ])('refuses %s', (_name, object, mutate) => {
    const broken = structuredClone(object);
    mutate(broken.spec as Spec);
    expect(crdValidationErrors([broken], prometheusOperatorCrdFiles())[0]?.errors.length).toBeGreaterThan(0);
  });
});
