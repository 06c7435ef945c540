/**
 * Where Synapse reads its email settings: a file of their own, held in a Secret (it carries the
 * SMTP password), loaded after homeserver.yaml. The workload mounts it, the renderer writes it,
 * APP-11 judges it.
 */
export const EMAIL_SECRET_DIRECTORY = '/secrets/email';
export const EMAIL_CONFIG_PATH = `${EMAIL_SECRET_DIRECTORY}/email.yaml`;
