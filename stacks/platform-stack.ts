/**
 * The shared platform compartment. It carries the same baseline as every compartment;
 * the secret store, secret delivery and certificate authority are added by the secret
 * management work (issue 5). Its quota admits no pod until a workload is declared.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/deployment-config';
import { Compartment } from '../constructs/compartment';
import { platformNamespace } from '../model/compartments';
import { deriveLimitRange, deriveQuota } from '../model/quotas';
import { configureEngine } from './engine-settings';

export class PlatformStack extends TerraformStack {
  readonly compartment: Compartment;

  constructor(scope: Construct, config: DeploymentConfig) {
    const name = platformNamespace(config.deploymentName);
    super(scope, name);
    configureEngine(this, name, config);
    this.compartment = new Compartment(this, 'compartment', {
      kind: 'platform',
      namespace: name,
      kubernetes: config.kubernetes,
      quota: deriveQuota([], { loadBalancers: 0, nodePorts: 0 }),
      limitRange: deriveLimitRange([]),
    });
  }
}
