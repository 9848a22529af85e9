/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment, the network configuration and the error object. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

const char *const cni_versions[] = { "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

static int version_index(const char *v) {
        for (int i = 0; v && cni_versions[i]; i++)
                if (streq_cmd(v, cni_versions[i]))
                        return i;
        return -1;
}

bool cni_version_supported(const char *v) {
        return version_index(v) >= 0;
}

bool cni_version_at_least(const char *v, const char *min) {
        return version_index(v) >= version_index(min);
}

int cni_fail(cni_error *e, unsigned code, const char *fmt, ...) {
        va_list ap;

        e->code = code;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        return -1;
}

/* What the runtime can do about it: a bad value in the configuration (7),
 * a namespace that is gone (3), something to retry (11), else internal. */
static unsigned code_of_errno(int r) {
        switch (-r) {
        case EINVAL:
        case EMEDIUMTYPE:
        case ENOENT:
                return CNI_ERR_CONFIG;
        case EHOSTDOWN:
        case EBUSY:
        case EAGAIN:
        case ESTALE:
        case ENOSPC:
                return CNI_ERR_AGAIN;
        case EIO:
        case EUCLEAN:
        case EROFS:
                return CNI_ERR_IO;
        default:
                return CNI_ERR_INTERNAL;
        }
}

int cni_fail_vport(cni_error *e, int r, const vport_error *err, const char *what) {
        cni_fail(e, code_of_errno(r), "%s: %s", what, vport_error_message(err, r));
        snprintf(e->details, sizeof(e->details), "%s", strerror(-r));
        return -1;
}

/* ---- environment ---- */

/* The spec's rule for CNI_CONTAINERID: alphanumeric first, then [A-Za-z0-9_.-]. */
static bool containerid_valid(const char *s) {
        if (!s || !isalnum((unsigned char) s[0]))
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(s);
}

/* An interface name the kernel takes: 1-15 bytes, not . or .., no / : or space. */
static bool ifname_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > 15 || streq_cmd(s, ".") || streq_cmd(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '/' || s[i] == ':' || isspace((unsigned char) s[i]) ||
                    !isprint((unsigned char) s[i]))
                        return false;
        return true;
}

static const char *env_get(const char *name) {
        const char *v = getenv(name);

        return v && *v ? v : NULL;
}

/* CNI_ARGS "K=V;K=V": MAC= is ours, IP= is the IPAM plugin's (it reads
 * the same environment), K8S_POD_* are informational; anything else is
 * refused unless IgnoreUnknown is set, as the reference plugins do. */
static int args_parse(cni_env *env, cni_error *e) {
        bool ignore = false;
        char *save = NULL, *unknown = NULL;

        if (!env->args)
                return 0;
        if (strlen(env->args) >= sizeof(env->args_buf))
                return cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: longer than %zu bytes",
                                sizeof(env->args_buf) - 1);
        snprintf(env->args_buf, sizeof(env->args_buf), "%s", env->args);
        for (char *kv = strtok_r(env->args_buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(kv, '=');

                if (!eq)
                        return cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: '%s' is not KEY=VALUE", kv);
                *eq = '\0';
                if (streq_cmd(kv, "IgnoreUnknown"))
                        ignore = streq_cmd(eq + 1, "1") || strcasecmp(eq + 1, "true") == 0;
                else if (streq_cmd(kv, "MAC"))
                        env->arg_mac = eq + 1;
                else if (!streq_cmd(kv, "IP") && strncmp(kv, "K8S_POD_", 8) != 0 && !unknown)
                        unknown = kv;
        }
        if (unknown && !ignore)
                return cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: unknown key '%s' (and no IgnoreUnknown=1)",
                                unknown);
        return 0;
}

int cni_env_read(cni_env *env, cni_error *e) {
        env->command = env_get("CNI_COMMAND");
        env->containerid = env_get("CNI_CONTAINERID");
        env->netns = env_get("CNI_NETNS");
        env->ifname = env_get("CNI_IFNAME");
        env->args = env_get("CNI_ARGS");
        env->path = env_get("CNI_PATH");
        if (!env->command)
                return cni_fail(e, CNI_ERR_ENV, "CNI_COMMAND is not set");
        /* The plugin is built on the public API only, without the fault
         * wrapper: a spec meant for it would never fire. */
        if (env_get("VPORT_FAULT"))
                return cni_fail(
                        e, CNI_ERR_ENV,
                        "VPORT_FAULT '%s': vport-cni does not inject faults (only vport and vportd do)",
                        env_get("VPORT_FAULT"));
        if (env->containerid && !containerid_valid(env->containerid))
                return cni_fail(e, CNI_ERR_ENV,
                                "CNI_CONTAINERID '%s': must start with a letter or digit and hold only "
                                "letters, digits, _ . -",
                                env->containerid);
        if (env->ifname && !ifname_valid(env->ifname))
                return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME '%s': not a valid interface name", env->ifname);
        return args_parse(env, e);
}

/* ---- configuration ---- */

static int field_string(json_object *o, const char *key, bool required, const char **ret, cni_error *e) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return required ? cni_fail(e, CNI_ERR_CONFIG, "invalid network config: \"%s\" is missing",
                                           key)
                                : 0;
        }
        if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"%s\" must be a non-empty string", key);
        *ret = json_object_get_string(v);
        return 0;
}

static int field_object(json_object *o, const char *key, json_object **ret, cni_error *e) {
        json_object *v;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_object))
                return cni_fail(e, CNI_ERR_CONFIG, "invalid network config: \"%s\" must be an object", key);
        *ret = v;
        return 0;
}

static int field_vlan(json_object *o, int *ret, cni_error *e) {
        json_object *v;
        int64_t n;

        *ret = -1;
        if (!json_object_object_get_ex(o, "vlan", &v) || json_object_is_type(v, json_type_null))
                return 0;
        n = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) || n < 0 || n > 4094)
                return cni_fail(
                        e, CNI_ERR_CONFIG,
                        "invalid network config: \"vlan\" must be an integer from 0 to 4094 (0: none)");
        *ret = n > 0 ? (int) n : -1;
        return 0;
}

static int field_mac(const char *key, const char *s, cni_error *e) {
        vport_mac mac;

        if (s && vport_mac_parse(s, &mac) < 0)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"%s\": '%s' is not a MAC address", key, s);
        return 0;
}

static int conf_runtime(cni_conf *c, cni_error *e) {
        json_object *rc;

        if (field_object(c->root, "runtimeConfig", &rc, e) < 0)
                return -1;
        if (rc && field_string(rc, "mac", false, &c->runtime_mac, e) < 0)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"runtimeConfig.mac\" must be a string");
        return field_mac("runtimeConfig.mac", c->runtime_mac, e);
}

static int conf_ipam(cni_conf *c, cni_error *e) {
        if (field_object(c->root, "ipam", &c->ipam, e) < 0)
                return -1;
        if (!c->ipam || json_object_object_length(c->ipam) == 0) {
                c->ipam = NULL;
                return 0;
        }
        if (field_string(c->ipam, "type", true, &c->ipam_type, e) < 0)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"ipam.type\" must be a plugin name");
        if (strchr(c->ipam_type, '/') || streq_cmd(c->ipam_type, ".") || streq_cmd(c->ipam_type, ".."))
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"ipam.type\" '%s' is not a plugin name",
                                c->ipam_type);
        return 0;
}

static int conf_gc(cni_conf *c, cni_error *e) {
        json_object *v;

        if (!json_object_object_get_ex(c->root, "cni.dev/valid-attachments", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"cni.dev/valid-attachments\" must be an array");
        c->valid_attachments = v;
        return 0;
}

static int conf_fields(cni_conf *c, cni_error *e) {
        if (field_string(c->root, "cniVersion", true, &c->cni_version, e) < 0)
                return -1;
        if (!cni_version_supported(c->cni_version))
                return cni_fail(e, CNI_ERR_VERSION,
                                "cniVersion '%s' is not supported (0.3.1, 0.4.0, 1.0.0, 1.1.0)",
                                c->cni_version);
        if (field_string(c->root, "name", true, &c->name, e) < 0 ||
            field_string(c->root, "type", true, &c->type, e) < 0 ||
            field_string(c->root, "network", true, &c->network, e) < 0 ||
            field_string(c->root, "stateDir", false, &c->state_dir, e) < 0 ||
            field_string(c->root, "mac", false, &c->mac, e) < 0 ||
            field_string(c->root, "portgroup", false, &c->portgroup, e) < 0 ||
            field_string(c->root, "deviceID", false, &c->device_id, e) < 0 ||
            field_vlan(c->root, &c->vlan, e) < 0 || field_mac("mac", c->mac, e) < 0 ||
            field_object(c->root, "prevResult", &c->prev_result, e) < 0)
                return -1;
        if (c->state_dir && c->state_dir[0] != '/')
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"stateDir\" '%s' is not an absolute path",
                                c->state_dir);
        return conf_runtime(c, e) < 0 || conf_ipam(c, e) < 0 || conf_gc(c, e) < 0 ? -1 : 0;
}

/* One JSON document, whitespace around it allowed, nothing else. */
static json_object *json_parse_whole(const char *text, size_t len, const char **ret_why) {
        json_tokener *tok = json_tokener_new();
        json_object *o = NULL;
        size_t end;

        *ret_why = "out of memory";
        if (!tok)
                return NULL;
        o = json_tokener_parse_ex(tok, text, (int) len);
        if (!o) {
                enum json_tokener_error jerr = json_tokener_get_error(tok);
                *ret_why = json_tokener_error_desc(
                        jerr == json_tokener_continue ? json_tokener_error_parse_eof : jerr);
        }
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        while (o && end < len && isspace((unsigned char) text[end]))
                end++;
        if (o && end < len) {
                json_object_put(o);
                *ret_why = "text after the JSON document";
                return NULL;
        }
        return o;
}

int cni_conf_parse(const char *text, size_t len, cni_conf *ret, cni_error *e) {
        const char *why;

        *ret = (cni_conf){ .text = text, .text_len = len, .vlan = -1 };
        ret->root = json_parse_whole(text, len, &why);
        if (!ret->root)
                return cni_fail(e, CNI_ERR_DECODE, "network configuration on stdin: %s", why);
        if (!json_object_is_type(ret->root, json_type_object))
                return cni_fail(e, CNI_ERR_DECODE, "network configuration on stdin: not a JSON object");
        return conf_fields(ret, e);
}

void cni_conf_clear(cni_conf *c) {
        json_object_put(c->root);
        c->root = NULL;
}
