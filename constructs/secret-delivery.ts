/**
 * Secret delivery into one compartment: its own service account and SecretStore, bound to
 * the compartment's OpenBao role (which reads exactly the paths its declarations allow),
 * and one ExternalSecret per declared secret, rendering the declared files in-cluster.
 * Workloads mount the resulting Secrets read-only; no value passes through Terraform.
 */
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { HomeserverCompartment } from '../model/compartments';
import type { PlatformNames } from '../model/platform';
import { SECRET_READER_ACCOUNT, storeRoleName } from '../model/secret-access';
import type { SecretDeclaration } from '../model/secrets';
import { externalSecret, secretStore } from '../render/manifests/secret-delivery';
import { Manifest } from './manifest';

export interface SecretDeliveryProps {
  /** The namespace name as plain text (custom resources carry it inside their manifest). */
  readonly namespace: string;
  /** Whose OpenBao paths are read: a homeserver's (`<homeserver>/<secret>`), or the deployment's own (`<deployment>/<secret>`). */
  readonly homeserverName: string;
  /** A homeserver compartment, or `platform` for the deployment's own secrets in OpenBao's namespace (then `role` names the role). */
  readonly compartment: HomeserverCompartment | 'platform';
  /**
   * The OpenBao role the SecretStore logs in as.
   * @default the compartment's role (storeRoleName); required for `platform`
   */
  readonly role?: string;
  /** Declarations this compartment consumes (others are refused; the deployment's own declarations name no consumer). */
  readonly declarations: readonly SecretDeclaration[];
  readonly names: PlatformNames;
  /** Go duration. */
  readonly refreshInterval: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The compartment's baseline: the namespace must exist first. */
  readonly dependsOn: readonly ITerraformDependable[];
}

export class SecretDelivery extends Construct {
  readonly store: Manifest;
  readonly secrets: readonly Manifest[];

  constructor(scope: Construct, id: string, props: SecretDeliveryProps) {
    super(scope, id);
    const { compartment } = props;
    const foreign =
      compartment === 'platform'
        ? props.declarations.filter((declaration) => declaration.consumers.length > 0)
        : props.declarations.filter((declaration) => !declaration.consumers.includes(compartment));
    if (compartment === 'platform' && props.role === undefined) throw new Error('secret delivery into a platform namespace needs its role');
    if (foreign.length > 0)
      throw new Error(`compartment ${props.compartment} is not a consumer of ${foreign.map((declaration) => declaration.name).join(', ')}`);
    const account = new ServiceAccountV1(this, 'secret-reader', {
      metadata: { name: SECRET_READER_ACCOUNT, namespace: props.namespace, labels: { ...props.labels } },
      // External Secrets requests short-lived tokens for it; no pod ever mounts one.
      automountServiceAccountToken: false,
      dependsOn: [...props.dependsOn],
    });
    this.store = new Manifest(this, 'store', {
      object: secretStore({
        namespace: props.namespace,
        role: props.role ?? storeRoleName(props.homeserverName, compartment as HomeserverCompartment),
        serviceAccount: SECRET_READER_ACCOUNT,
        names: props.names,
        labels: props.labels,
      }),
      dependsOn: [account],
    });
    this.secrets = props.declarations.map(
      (declaration) =>
        new Manifest(this, declaration.name, {
          object: externalSecret({
            declaration,
            homeserverName: props.homeserverName,
            namespace: props.namespace,
            refreshInterval: props.refreshInterval,
            labels: props.labels,
          }),
          dependsOn: [this.store.resource],
        }),
    );
  }
}
