/**
 * External Secrets' chart source has no CRDs (templates/crds/ holds only a README): its release
 * generates them from the operator's config/crds/bases/ (hack/helm.generate.sh), each wrapped in
 * the chart's switches. The same transformation, done here at package time:
 *   - every CRD behind `installCRDs`; the cluster-wide kinds and PushSecret also behind their
 *     `crds.create<Kind>` switch;
 *   - ExternalSecret/SecretStore kinds: the deprecated v1beta1 served only with
 *     `crds.unsafeServeV1Beta1`;
 *   - `crds.annotations` (and cert-manager's CA injection when conversion is on) added to the
 *     metadata annotations; the conversion webhook's Service named after the release.
 * Written as templates/crds/<singular>.yaml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

const ANNOTATIONS = [
  '    {{- with .Values.crds.annotations }}',
  '    {{- toYaml . | nindent 4}}',
  '    {{- end }}',
  '    {{- if and .Values.crds.conversion.enabled .Values.webhook.certManager.enabled .Values.webhook.certManager.addInjectorAnnotations }}',
  '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
  '    {{- end }}',
];

interface CrdNames {
  readonly kind: string;
  readonly singular: string;
}

function crdNames(text: string, file: string): CrdNames {
  const parsed: unknown = YAML.parse(text);
  const names = (parsed as { kind?: unknown; spec?: { names?: { kind?: unknown; singular?: unknown } } } | null)?.spec?.names;
  if (
    (parsed as { kind?: unknown } | null)?.kind !== 'CustomResourceDefinition' ||
    typeof names?.kind !== 'string' ||
    typeof names.singular !== 'string'
  ) {
    throw new Error(`${file}: not a CustomResourceDefinition with spec.names.kind and .singular`);
  }
  return { kind: names.kind, singular: names.singular };
}

/** The switch a kind is installed under, as the chart's values name them. */
export function crdCondition(kind: string): string {
  const ownSwitch = kind.includes('Cluster') || kind.includes('PushSecret');
  return ownSwitch ? `{{- if and (.Values.installCRDs) (.Values.crds.create${kind}) }}` : '{{- if .Values.installCRDs }}';
}

/** One base CRD as the chart's template. */
export function crdTemplate(text: string, file: string): { name: string; template: string } {
  const { kind, singular } = crdNames(text, file);
  let lines = text.replace(/\n$/, '').split('\n');
  if (kind.includes('ExternalSecret') || kind.includes('SecretStore')) {
    // Upstream also wraps a v1alpha1 version in crds.conversion.enabled; 2.9.0 has none left, so one appearing means this code needs that step.
    if (lines.some((line) => /^\s*(- )?name: v1alpha1$/.test(line)))
      throw new Error(`${file}: a v1alpha1 version of ${kind}; the chart would serve it only with crds.conversion.enabled`);
    const v1beta1 = lines.findIndex((line) => /^\s*(- )?name: v1beta1$/.test(line));
    if (v1beta1 >= 0) {
      const served = lines.findIndex((line, index) => index > v1beta1 && /^\s*served: false$/.test(line));
      if (served < 0) throw new Error(`${file}: v1beta1 of ${kind} without served: false`);
      lines[served] = (lines[served] ?? '').replace('served: false', 'served: {{ .Values.crds.unsafeServeV1Beta1 }}');
    }
  }
  lines = lines.map((line) =>
    line
      .replace(/name: kubernetes/g, 'name: {{ include "external-secrets.fullname" . }}-webhook')
      .replace(/namespace: default/g, 'namespace: {{ .Release.Namespace | quote }}'),
  );
  const annotations = lines.findIndex((line) => line.includes('annotations'));
  if (annotations < 0) throw new Error(`${file}: no metadata annotations to extend`);
  lines.splice(annotations + 1, 0, ...ANNOTATIONS);
  return { name: `${singular}.yaml`, template: [crdCondition(kind), ...lines, '{{- end }}', ''].join('\n') };
}

/** Writes every CRD of `basesDirectory` (config/crds/bases of the ESO source) as a template into `templatesDirectory`. */
export function writeCrdTemplates(basesDirectory: string, templatesDirectory: string): string[] {
  fs.mkdirSync(templatesDirectory, { recursive: true });
  const written = fs
    .readdirSync(basesDirectory)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort()
    .map((file) => {
      const { name, template } = crdTemplate(fs.readFileSync(path.join(basesDirectory, file), 'utf8'), file);
      fs.writeFileSync(path.join(templatesDirectory, name), template);
      return name;
    });
  if (written.length === 0) throw new Error(`${basesDirectory}: no CRDs`);
  return written;
}
