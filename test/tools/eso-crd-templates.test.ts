/**
 * External Secrets' CRD templates, generated at package time from the operator's plain CRDs
 * the way its release does: each kind behind the chart switch that names it, the deprecated
 * v1beta1 served only on request, the annotations hook and the release-named webhook Service.
 */
import { crdCondition, crdTemplate } from '../engine/support/tools/eso-crds';

const crd = (kind: string, versions: string) =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  annotations:',
    '    controller-gen.kubebuilder.io/version: v0.19.0',
    `  name: ${kind.toLowerCase()}s.external-secrets.io`,
    'spec:',
    '  group: external-secrets.io',
    `  names:\n    kind: ${kind}\n    singular: ${kind.toLowerCase()}`,
    '  scope: Namespaced',
    '  versions:',
    versions,
    '',
  ].join('\n');

const v1AndV1beta1 = [
  '  - name: v1',
  '    served: true',
  '    storage: true',
  '  - name: v1beta1',
  '    served: false',
  '    storage: false',
].join('\n');

describe('the switch of each kind', () => {
  it.each([
    ['ExternalSecret', '{{- if .Values.installCRDs }}'],
    ['SecretStore', '{{- if .Values.installCRDs }}'],
    ['Password', '{{- if .Values.installCRDs }}'],
    ['GeneratorState', '{{- if .Values.installCRDs }}'],
    ['PushSecret', '{{- if and (.Values.installCRDs) (.Values.crds.createPushSecret) }}'],
    ['ClusterSecretStore', '{{- if and (.Values.installCRDs) (.Values.crds.createClusterSecretStore) }}'],
    ['ClusterExternalSecret', '{{- if and (.Values.installCRDs) (.Values.crds.createClusterExternalSecret) }}'],
    ['ClusterGenerator', '{{- if and (.Values.installCRDs) (.Values.crds.createClusterGenerator) }}'],
    ['ClusterPushSecret', '{{- if and (.Values.installCRDs) (.Values.crds.createClusterPushSecret) }}'],
  ])('%s: %s', (kind, condition) => {
    expect(crdCondition(kind)).toBe(condition);
    const { template } = crdTemplate(crd(kind, '  - name: v1\n    served: true'), `${kind}.yaml`);
    expect(template.split('\n')[0]).toBe(condition);
    expect(template.trimEnd().split('\n').at(-1)).toBe('{{- end }}');
  });
});

it('names the template after the singular and keeps the CRD otherwise as it is', () => {
  const { name, template } = crdTemplate(
    crd('Password', '  - name: v1alpha1\n    served: true'),
    'generators.external-secrets.io_passwords.yaml',
  );
  expect(name).toBe('password.yaml');
  expect(template).toContain('    controller-gen.kubebuilder.io/version: v0.19.0\n  name: passwords.external-secrets.io\n');
  expect(template).toContain('  - name: v1alpha1\n    served: true\n');
});

it('serves the deprecated v1beta1 of ExternalSecret/SecretStore kinds only with crds.unsafeServeV1Beta1', () => {
  const { template } = crdTemplate(crd('SecretStore', v1AndV1beta1), 'secretstores.yaml');
  expect(template).toContain('  - name: v1\n    served: true\n');
  expect(template).toContain('  - name: v1beta1\n    served: {{ .Values.crds.unsafeServeV1Beta1 }}\n');
});

it('adds the annotations hook right after the metadata annotations', () => {
  const lines = crdTemplate(crd('ExternalSecret', v1AndV1beta1), 'externalsecrets.yaml').template.split('\n');
  const at = lines.indexOf('  annotations:');
  expect(lines.slice(at + 1, at + 4)).toEqual([
    '    {{- with .Values.crds.annotations }}',
    '    {{- toYaml . | nindent 4}}',
    '    {{- end }}',
  ]);
  expect(lines).toContain(
    '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
  );
});

it("points a conversion webhook at the release's webhook Service", () => {
  const conversion =
    '  conversion:\n    webhook:\n      clientConfig:\n        service:\n          name: kubernetes\n          namespace: default\n';
  const { template } = crdTemplate(crd('ExternalSecret', v1AndV1beta1) + conversion, 'externalsecrets.yaml');
  expect(template).toContain(
    '          name: {{ include "external-secrets.fullname" . }}-webhook\n          namespace: {{ .Release.Namespace | quote }}\n',
  );
});

it.each([
  [
    'a v1alpha1 ExternalSecret (the chart would gate it behind crds.conversion.enabled)',
    crd('ExternalSecret', '  - name: v1alpha1\n    served: true'),
    'a v1alpha1 version of ExternalSecret',
  ],
  [
    'a served v1beta1 SecretStore',
    crd('SecretStore', '  - name: v1\n    served: true\n  - name: v1beta1\n    served: true'),
    'v1beta1 of SecretStore without served: false',
  ],
  ['something else than a CRD', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', 'not a CustomResourceDefinition'],
])('refuses %s', (_name, text, message) => {
  expect(() => crdTemplate(text, 'input.yaml')).toThrow(message);
});
