/**
 * LOG-01 for Synapse: the logging configuration its `log_config` (main process) or
 * `worker_log_config` (workers) points to, read as Python's `logging.config.dictConfig` reads
 * it. Without either option Synapse logs to stderr at INFO itself (synapse/config/logger.py),
 * which is compliant.
 */
import { basename } from '../../tfjson/invocations';
import { configMapFiles, parseSynapseYaml, shown, synapseConfigFiles, type ConfigMapFile } from '../../tfjson/synapse-config';
import { isObject, strings, type JsonObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { Violation } from '../rule';

export const STREAM_HANDLER = 'logging.StreamHandler';
/** Buffering handlers that hand their records to a `target` handler. */
const MEMORY_HANDLERS = ['logging.handlers.MemoryHandler', 'synapse.logging.handlers.PeriodicallyFlushingMemoryHandler'];
const STANDARD_STREAMS = ['ext://sys.stdout', 'ext://sys.stderr'];
/** Python's level names (logging._nameToLevel); anything else makes dictConfig fail. */
const LEVELS: Readonly<Record<string, number>> = {
  CRITICAL: 50,
  FATAL: 50,
  ERROR: 40,
  WARNING: 30,
  WARN: 30,
  INFO: 20,
  DEBUG: 10,
  NOTSET: 0,
};
const INFO = 20;
/** The root logger's level when the config does not set it. */
const ROOT_DEFAULT = 30;
/** Synapse's request log ("who did what"): `synapse.access.<scheme>.<port>` at INFO. */
const ACCESS_LOGGER = 'synapse.access';

/** A logging config: a YAML mapping with `version: 1` and `handlers`. */
export function isLoggingConfig(text: string): boolean {
  const config = parseSynapseYaml(text);
  return config !== undefined && config.version === 1 && 'handlers' in config;
}

function levelOf(value: unknown): number | 'invalid' | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return typeof value === 'string' && value in LEVELS ? (LEVELS[value] ?? 0) : 'invalid';
}

function levelName(level: number): string {
  return Object.entries(LEVELS).find(([, value]) => value === level)?.[0] ?? String(level);
}

function mapping(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

interface Logging {
  readonly handlers: JsonObject;
  readonly loggers: JsonObject;
  readonly root: JsonObject;
}

/** Problems with one handler: only stream handlers on stdout/stderr (or a buffer in front of one). */
function handlerProblem(logging: Logging, name: string, seen: readonly string[] = []): string | undefined {
  const handler = logging.handlers[name];
  if (!isObject(handler)) return `handler "${name}" is ${handler === undefined ? 'not defined' : 'not a mapping'}`;
  if ('()' in handler)
    return `handler "${name}" is built by the factory ${shown(handler['()'])}: only ${STREAM_HANDLER} on stdout/stderr feeds the log pipeline`;
  const handlerClass = handler.class;
  if (handlerClass === STREAM_HANDLER) {
    const stream = handler.stream;
    return stream === undefined || (typeof stream === 'string' && STANDARD_STREAMS.includes(stream))
      ? undefined
      : `handler "${name}" writes to the stream ${shown(stream)}, not ext://sys.stdout or ext://sys.stderr`;
  }
  if (typeof handlerClass === 'string' && MEMORY_HANDLERS.includes(handlerClass)) {
    const target = handler.target;
    if (typeof target !== 'string') return `handler "${name}" (${handlerClass}) has no target handler: buffered records are never written`;
    if (seen.includes(target)) return `handler "${name}" targets itself through "${target}"`;
    const problem = handlerProblem(logging, target, [...seen, name]);
    return problem ? `handler "${name}" buffers into ${problem.replace(/^handler /, '')}` : undefined;
  }
  return `handler "${name}" is ${shown(handlerClass)}: logs go to a file, syslog or a socket instead of stdout/stderr (use ${STREAM_HANDLER})`;
}

/** The configured level of a logger, walking up the dotted names to the root, and where it is set. */
function effectiveLevel(logging: Logging, name: string): { level: number | 'invalid'; setting: unknown } {
  const parts = name.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    const setting = mapping(logging.loggers[parts.slice(0, length).join('.')]).level;
    const level = levelOf(setting);
    if (level === 'invalid' || (level !== undefined && level !== 0)) return { level, setting };
  }
  return { level: levelOf(logging.root.level) ?? ROOT_DEFAULT, setting: logging.root.level };
}

/** The handlers a record of `name` reaches: each logger's own, up the hierarchy until `propagate: false`, then the root's. */
function reachedHandlers(logging: Logging, name: string): string[] {
  const found: string[] = [];
  const parts = name.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    const logger = logging.loggers[parts.slice(0, length).join('.')];
    if (!isObject(logger)) continue;
    found.push(...strings(logger.handlers));
    if (logger.propagate === false) return found;
  }
  return [...found, ...strings(logging.root.handlers)];
}

/** Every reason a logging config does not deliver Synapse's security events to stdout at INFO. */
export function loggingConfigProblems(config: JsonObject): string[] {
  if (config.version !== 1) return [`version is ${shown(config.version)}: not a logging dictConfig (version: 1)`];
  const loggers = mapping(config.loggers);
  const logging: Logging = { handlers: mapping(config.handlers), loggers, root: mapping(config.root ?? loggers['']) };
  const problems = Object.keys(logging.handlers).flatMap((name) => handlerProblem(logging, name) ?? []);

  const rootHandlers = strings(logging.root.handlers);
  if (rootHandlers.length === 0) problems.push('the root logger has no handler: records of loggers without their own handler are lost');
  for (const name of rootHandlers) if (!(name in logging.handlers)) problems.push(`the root logger uses the undefined handler "${name}"`);

  const checked = ['synapse', ...Object.keys(loggers).filter((name) => name === ACCESS_LOGGER || name.startsWith(`${ACCESS_LOGGER}.`))];
  for (const name of checked) {
    const { level, setting } = effectiveLevel(logging, name);
    if (level === 'invalid') problems.push(`logger "${name}" has a level Python does not know (${shown(setting)})`);
    else if (level > INFO)
      problems.push(
        `logger "${name}" logs at ${levelName(level)}: requests and logins are logged at INFO; set its level to INFO (or DEBUG)`,
      );
    const passing = reachedHandlers(logging, name).filter((handler) => {
      const handlerLevel = levelOf(mapping(logging.handlers[handler]).level);
      return handler in logging.handlers && (handlerLevel === undefined || (handlerLevel !== 'invalid' && handlerLevel <= INFO));
    });
    if (passing.length === 0)
      problems.push(
        `INFO records of logger "${name}" reach no handler that writes them (propagate: false without handlers, or handlers above INFO)`,
      );
  }
  if (config.disable_existing_loggers !== false && !('synapse' in loggers)) {
    problems.push(
      'disable_existing_loggers is not false and logger "synapse" is not configured: the loggers Synapse created before loading this file are silenced',
    );
  }
  return problems;
}

/** The file a Synapse config's log option names, found among the stack's ConfigMap files (same ConfigMap first). */
function referencedFile(files: readonly ConfigMapFile[], synapseAddress: string, path: string): ConfigMapFile | undefined {
  const name = basename(path);
  const configMap = synapseAddress.replace(/ data ".*"$/, '');
  const candidates = files.filter((file) => file.file === name);
  return candidates.find((file) => file.address.startsWith(`${configMap} data `)) ?? candidates[0];
}

export function synapseLoggingViolations(stack: SynthesizedStack): Violation[] {
  const files = configMapFiles(stack);
  const violations: Violation[] = [];
  const audited = new Map<string, ConfigMapFile>();
  for (const file of files) if (isLoggingConfig(file.text)) audited.set(file.address, file);

  for (const synapse of synapseConfigFiles(stack)) {
    const worker = typeof synapse.effective.worker_app === 'string' && synapse.effective.worker_app !== 'synapse.app.homeserver';
    const option = worker ? 'worker_log_config' : 'log_config';
    const path = synapse.effective[option];
    if (path === undefined || path === null) continue;
    if (typeof path !== 'string' || path === '') {
      violations.push({ address: synapse.address, message: `${option} is ${shown(path)}, not a file path` });
      continue;
    }
    const file = referencedFile(files, synapse.address, path);
    if (file) audited.set(file.address, file);
    else
      violations.push({
        address: synapse.address,
        message: `${option} points to ${path}, but no ConfigMap of the stack carries ${basename(path)}: where Synapse logs cannot be audited`,
      });
  }

  for (const file of audited.values()) {
    const config = parseSynapseYaml(file.text);
    const problems = config ? loggingConfigProblems(config) : ['is not a YAML mapping: not a logging dictConfig'];
    for (const problem of problems) violations.push({ address: file.address, message: problem });
  }
  return violations;
}
