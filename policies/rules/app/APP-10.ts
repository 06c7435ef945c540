import { blocks, isObject, type JsonObject } from '../../../tfjson/terraform-json';
import { auditSynapseSettings, mustEqual, SYNAPSE, type SettingCheck } from '../../checks/synapse-settings';
import type { Rule } from '../../rule';

/** Resources that must never share the port the gateway reaches. */
const INTERNAL_RESOURCES = ['replication', 'metrics'] as const;

function resourceNames(listener: JsonObject): string[] {
  return blocks(listener.resources).flatMap((resource) =>
    Array.isArray(resource.names) ? resource.names.filter((name): name is string => typeof name === 'string') : [],
  );
}

const LISTENERS: SettingCheck = {
  keys: ['listeners', 'worker_listeners', 'enable_metrics'],
  check: (config, _context, file) => {
    const key = file.kind === 'worker' ? 'worker_listeners' : 'listeners';
    const listeners = Array.isArray(config[key]) ? config[key].filter(isObject) : [];
    // The gateway-facing listener is the one that trusts X-Forwarded-For.
    const gatewayPorts = new Set(listeners.filter((listener) => listener.x_forwarded === true).map((listener) => String(listener.port)));
    const problems: string[] = [];
    listeners.forEach((listener, index) => {
      const where = `${key}[${index}] (port ${String(listener.port)})`;
      if (listener.type === 'manhole') problems.push(`${where} is a manhole: a Python shell into the process`);
      if (!gatewayPorts.has(String(listener.port))) return;
      if (listener.type === 'metrics') problems.push(`${where} serves metrics on the gateway-facing port (the x_forwarded listener's)`);
      for (const name of INTERNAL_RESOURCES)
        if (resourceNames(listener).includes(name))
          problems.push(`${where} serves ${name} on the gateway-facing port (the x_forwarded listener's)`);
    });
    const servesMetrics = listeners.some((listener) => listener.type === 'metrics' || resourceNames(listener).includes('metrics'));
    if (config.enable_metrics === true && !servesMetrics) problems.push(`enable_metrics is true without a metrics listener in ${key}`);
    return problems;
  },
};

/** No usage reporting to matrix.org; metrics and replication only on internal listeners. */
export const rule: Rule = {
  id: 'APP-10',
  title: 'No telemetry; metrics and replication stay on internal listeners',
  level: 'error',
  lesson:
    'The intrusion was noticed only from traffic: internal endpoints must not be reachable through the public path, and nothing reports out on its own.',
  references: { nsaCisa: 'Network separation and hardening' },
  fix: 'Set report_stats: false; serve replication and metrics on their own listeners (ports the gateway does not reach), never on the x_forwarded listener; enable_metrics only with a metrics listener; no manhole.',
  appliesTo: SYNAPSE,
  check: (stack, context) =>
    auditSynapseSettings(stack, context, [mustEqual('report_stats', false, 'Synapse refuses to start without it'), LISTENERS]),
};
