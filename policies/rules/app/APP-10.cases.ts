/** The case table of APP-10 (test/policies/case-table.ts): mutations of the compliant fixture (test/policies/fixtures.ts) the rule must fire on, near misses it must accept. Test data: only the tests import it. */
import { fires } from '../../../test/policies/case-helpers/app';
import { editSynapse, setSynapse, synapseConfigFile, workerConfigFile } from '../../../test/policies/case-helpers/common';
import type { RuleCases } from '../../../test/policies/case-table';
import type { Mutation } from '../../../test/policies/fixtures';
import type { JsonObject } from '../../../tfjson/terraform-json';

/** Listener edits on homeserver.yaml (or worker_listeners on worker.yaml). */
function editListeners(edit: (listeners: JsonObject[]) => void, file = 'homeserver.yaml'): Mutation {
  return editSynapse((config) => {
    const key = file === 'homeserver.yaml' ? 'listeners' : 'worker_listeners';
    const listeners = (Array.isArray(config[key]) ? config[key] : []) as JsonObject[];
    edit(listeners);
    config[key] = listeners;
  }, file);
}

/** Removes the `type: metrics` listener. */
function dropMetricsListener(file = 'homeserver.yaml'): Mutation {
  return editListeners(
    (listeners) =>
      void listeners.splice(
        listeners.findIndex((listener) => listener.type === 'metrics'),
        1,
      ),
    file,
  );
}

function resourcesOf(listener: JsonObject | undefined): JsonObject {
  const [resources] = listener && Array.isArray(listener.resources) ? listener.resources : [];
  if (!resources || typeof resources !== 'object' || Array.isArray(resources)) throw new Error('listener without resources');
  return resources;
}

export const cases: RuleCases = {
  bad: [
    fires('report_stats true', 'report_stats', true, 'report_stats is true, must be false'),
    fires('report_stats absent', 'report_stats', undefined, 'report_stats is (absent), must be false'),
    {
      name: 'replication on the gateway-facing listener',
      mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['client', 'replication'])),
      address: synapseConfigFile,
      message: 'listeners[0] (port 8008) serves replication on the gateway-facing port',
    },
    {
      name: 'metrics resource on the gateway-facing listener',
      mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['client', 'metrics'])),
      address: synapseConfigFile,
      message: 'listeners[0] (port 8008) serves metrics on the gateway-facing port',
    },
    {
      name: 'metrics listener on the gateway-facing port',
      mutate: editListeners((listeners) =>
        listeners.filter((listener) => listener.type === 'metrics').forEach((listener) => (listener.port = 8008)),
      ),
      address: synapseConfigFile,
      message: /listeners\[2\] \(port 8008\) serves metrics on the gateway-facing port/,
    },
    {
      name: 'a manhole listener',
      mutate: editListeners((listeners) => listeners.push({ port: 9001, type: 'manhole', bind_addresses: ['127.0.0.1'] })),
      address: synapseConfigFile,
      message: 'listeners[3] (port 9001) is a manhole',
    },
    {
      name: 'enable_metrics without a metrics listener',
      mutate: dropMetricsListener(),
      address: synapseConfigFile,
      message: 'enable_metrics is true without a metrics listener in listeners',
    },
    {
      name: 'worker serving replication on its gateway-facing port',
      mutate: editListeners((listeners) => (resourcesOf(listeners[0]).names = ['media', 'client', 'replication']), 'worker.yaml'),
      address: workerConfigFile,
      message: 'worker_listeners[0] (port 8008) serves replication on the gateway-facing port',
    },
    {
      name: 'worker with metrics on but no metrics listener',
      mutate: dropMetricsListener('worker.yaml'),
      address: workerConfigFile,
      message: 'enable_metrics is true without a metrics listener in worker_listeners',
    },
  ],
  good: [
    {
      name: 'metrics off and no metrics listener',
      mutate: (j) => {
        setSynapse('enable_metrics', false)(j);
        dropMetricsListener()(j);
      },
    },
    {
      name: 'metrics as an http resource on an internal port',
      mutate: editListeners((listeners) =>
        listeners.splice(
          listeners.findIndex((listener) => listener.type === 'metrics'),
          1,
          { port: 9000, type: 'http', tls: false, bind_addresses: ['0.0.0.0'], resources: [{ names: ['metrics'] }] },
        ),
      ),
    },
  ],
};
