"""Loads rendered Synapse config files with the real Synapse config loader.

Input (JSON on stdin): a list of {"files": {"homeserver.yaml": "...", "worker.yaml": "...", "log.yaml": "..."},
                                  "configs": ["homeserver.yaml", ...],
                                  "mounted": {"/secrets/...": "content as delivered"},   (optional)
                                  "extraConfigs": ["/secrets/email/email.yaml"],         (optional)
                                  "secretDirectories": ["/secrets/keys", ...]}            (optional: the pod's Secret mounts;
                                                                                          default: every Secret)
The absolute mount paths of the pod (/config, /secrets, /run/secrets, /trust, /media) are re-rooted in
a temporary directory, where secret files are created as the cluster would mount them (or as
given in "mounted", e.g. files rendered by External Secrets' template engine). Synapse is run
with --no-secrets-in-config. Output (JSON): the settings read back from Synapse's parsed config
objects, or {"error": "..."} when Synapse refuses the config; one per request.
"""
import hashlib
import json
import os
import secrets
import sys
import tempfile

from signedjson.key import generate_signing_key, write_signing_keys
from synapse.config._base import ConfigError
from synapse.config.homeserver import HomeServerConfig

def load(request):
    root = tempfile.mkdtemp(prefix="synapse-config-")

    def reroot(text):
        for prefix in ["/run/secrets", "/secrets", "/config", "/trust", "/media"]:
            text = text.replace('"' + prefix, '"' + root + prefix)
        return text

    for directory in ["config", "secrets/signing", "secrets/keys", "secrets/database", "secrets/redis", "secrets/oidc", "secrets/tls", "secrets/email", "trust", "run/secrets", "media"]:
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    with open(os.path.join(root, "secrets/signing/signing.key"), "w") as key_file:
        write_signing_keys(key_file, [generate_signing_key("a_test")])
    # Only the Secrets the pod mounts (when the request says which): a process must start without the others.
    mounted_directories = request.get("secretDirectories")
    for name in ["secrets/keys/macaroon", "secrets/keys/form", "secrets/keys/replication", "secrets/redis/password", "secrets/oidc/secret"]:
        if mounted_directories is not None and not any(("/" + name).startswith(directory.rstrip("/") + "/") for directory in mounted_directories):
            continue
        with open(os.path.join(root, name), "w") as secret_file:
            secret_file.write(secrets.token_urlsafe(32) + "\n")
    with open(os.path.join(root, "trust/ca.crt"), "w") as ca_file:
        ca_file.write("placeholder CA file: only its existence is checked when the config is loaded\n")
    with open(os.path.join(root, "run/secrets/pgpass"), "w") as passfile:
        passfile.write("*:*:*:*:" + secrets.token_urlsafe(24) + "\n")
    os.chmod(os.path.join(root, "run/secrets/pgpass"), 0o600)

    for pod_path, content in request.get("mounted", {}).items():
        target = os.path.join(root, pod_path.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as mounted_file:
            mounted_file.write(content)

    for name, content in request["files"].items():
        with open(os.path.join(root, "config", name), "w") as config_file:
            config_file.write(reroot(content))

    argv = []
    for name in request["configs"]:
        argv += ["--config-path", os.path.join(root, "config", name)]
    for pod_path in request.get("extraConfigs", []):
        argv += ["--config-path", os.path.join(root, pod_path.lstrip("/"))]
    argv.append("--no-secrets-in-config")

    try:
        config = HomeServerConfig.load_config("config check", argv)
    except ConfigError as error:
        return {"error": "ConfigError: %s %s" % (".".join(error.path or []), error.msg)}

    providers = list(config.oidc.oidc_providers)
    provider = providers[0] if providers else None
    media = config.media
    return {
        "server_name": config.server.server_name,
        "worker_app": config.worker.worker_app,
        "worker_name": config.worker.worker_name,
        "enable_registration": config.registration.enable_registration,
        "localdb_enabled": config.auth.password_localdb_enabled,
        "password_enabled": config.auth.password_enabled_for_login,
        "encryption_default": config.room.encryption_enabled_by_default_for_room_presets,
        "federation_domain_whitelist": sorted(config.federation.federation_domain_whitelist or {}) if config.federation.federation_domain_whitelist is not None else None,
        "trusted_key_servers": len(config.key.key_servers),
        "report_stats": config.metrics.report_stats,
        "allow_guest_access": config.registration.allow_guest_access,
        "user_directory_exclude_remote_users": config.userdirectory.user_directory_exclude_remote_users,
        # Media settings are parsed only where the media repository runs.
        "can_load_media_repo": media.can_load_media_repo,
        "media_store_path": getattr(media, "media_store_path", None),
        "enable_authenticated_media": getattr(media, "enable_authenticated_media", None),
        "max_upload_size": getattr(media, "max_upload_size", None),
        "media_upload_limits": len(getattr(media, "media_upload_limits", [])),
        "url_preview_enabled": getattr(media, "url_preview_enabled", None),
        "presence_enabled": config.server.presence_enabled,
        "push_include_content": config.push.push_include_content,
        "search_all_users": config.userdirectory.user_directory_search_all_users,
        "limit_profile_requests": config.server.limit_profile_requests_to_users_who_share_rooms,
        "require_auth_for_profile_requests": config.server.require_auth_for_profile_requests,
        "session_lifetime_ms": config.registration.session_lifetime,
        "nonrefreshable_access_token_lifetime_ms": config.registration.nonrefreshable_access_token_lifetime,
        "redis_enabled": config.redis.redis_enabled,
        "redis_password_set": bool(config.redis.redis_password),
        "replication_secret_set": bool(config.worker.worker_replication_secret),
        "instance_map": sorted(config.worker.instance_map.keys()),
        "federation_senders": list(config.worker.federation_shard_config.instances),
        "modules": len(config.modules.loaded_modules),
        "oidc_providers": len(providers),
        "oidc_idp_id": provider.idp_id if provider else None,
        "oidc_issuer": provider.issuer if provider else None,
        "oidc_discover": provider.discover if provider else None,
        "oidc_token_endpoint": provider.token_endpoint if provider else None,
        "oidc_pkce_method": provider.pkce_method if provider else None,
        "oidc_allow_existing_users": provider.allow_existing_users if provider else None,
        "oidc_client_secret_read_from_file": bool(provider.client_secret) if provider else None,
        "allowed_local_3pids": [entry["pattern"] for entry in config.registration.allowed_local_3pids],
        "signing_key_ids": [key.version for key in config.key.signing_key],
        # Digests, never the values: the caller compares them with what it delivered.
        "signing_key_seed_sha256": hashlib.sha256(config.key.signing_key[0].encode()).hexdigest(),
        "smtp_pass_sha256": hashlib.sha256(config.email.email_smtp_pass.encode()).hexdigest() if getattr(config.email, "email_smtp_pass", None) else None,
        "smtp_host": getattr(config.email, "email_smtp_host", None),
            "ip_range_blacklist_size": len(list(config.server.ip_range_blocklist.iter_cidrs())),
    }


print(json.dumps([load(request) for request in json.load(sys.stdin)], default=lambda value: sorted(value) if isinstance(value, (set, frozenset)) else str(value)))
