/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-cni: vport's port management as a CNI plugin (spec 1.1). */
#pragma once

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <vport/vport.h>

/* The spec's error codes (SPEC.md, "Error"). */
enum {
        CNI_ERR_VERSION = 1,      /* incompatible CNI version */
        CNI_ERR_UNSUPPORTED = 2,  /* unsupported field in network configuration */
        CNI_ERR_NO_CONTAINER = 3, /* container unknown or does not exist */
        CNI_ERR_ENV = 4,          /* invalid necessary environment variables */
        CNI_ERR_IO = 5,           /* I/O failure */
        CNI_ERR_DECODE = 6,       /* failed to decode content */
        CNI_ERR_CONFIG = 7,       /* invalid network config */
        CNI_ERR_AGAIN = 11,       /* try again later */
        CNI_ERR_UNAVAILABLE = 50, /* STATUS: plugin not available */
        CNI_ERR_INTERNAL = 999,   /* what libcni calls ErrInternal */
};

/* The failure a verb reports: printed as the spec's error object. */
typedef struct cni_error {
        unsigned code;
        char msg[512];
        char details[512];
} cni_error;

static inline bool streq_cmd(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

int cni_fail(cni_error *e, unsigned code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A library failure: its code mapped to a CNI one, its message kept. */
int cni_fail_vport(cni_error *e, int r, const vport_error *err, const char *what);

/* The versions and the result shape of each. */
extern const char *const cni_versions[];
bool cni_version_supported(const char *v);
/* Whether v is at least the version min (both supported). */
bool cni_version_at_least(const char *v, const char *min);

/* What the runtime sets in the environment. */
typedef struct cni_env {
        const char *command, *containerid, *netns, *ifname, *args, *path;
        const char *arg_mac; /* MAC= of CNI_ARGS (podman's --mac-address) */
        char args_buf[1024];
} cni_env;

int cni_env_read(cni_env *env, cni_error *e);

typedef struct cni_conf {
        json_object *root; /* the whole stdin document */
        const char *text;  /* stdin as read, passed on to IPAM */
        size_t text_len;
        const char *cni_version, *name, *type;
        const char *network, *state_dir, *mac, *portgroup, *device_id;
        int vlan; /* -1: none */
        json_object *ipam;
        const char *ipam_type;
        json_object *prev_result;
        const char *runtime_mac;        /* runtimeConfig.mac */
        json_object *valid_attachments; /* GC: cni.dev/valid-attachments */
} cni_conf;

/* Parse stdin. Returns 0 or -1 with e set (6: not JSON; 7: a field; 1: version). */
int cni_conf_parse(const char *text, size_t len, cni_conf *ret, cni_error *e);
void cni_conf_clear(cni_conf *c);

/* IPAM: the plugin ipam.type found in CNI_PATH, run with our stdin and
 * environment (command and container overridden when given). A call is
 * started, runs while the caller does its own work, and is finished: its
 * output read, its exit waited for. */
typedef struct cni_ipam_call {
        pid_t pid;
        int out; /* the plugin's stdout */
        char bin[PATH_MAX];
        const char *command, *containerid, *ifname;
} cni_ipam_call;

/* Find and start the plugin. -1 with e set if it cannot be started. */
int cni_ipam_start(const cni_conf *c, const cni_env *env, const char *command, const char *containerid,
                   const char *ifname, cni_ipam_call *ret, cni_error *e);
/* Wait for a started call; *ret (may be NULL) gets its result. An older
 * plugin that refuses the cniVersion is run again with one it speaks. */
int cni_ipam_finish(const cni_conf *c, cni_ipam_call *call, json_object **ret, cni_error *e);
/* Both, one after the other. */
int cni_ipam_exec(const cni_conf *c, const cni_env *env, const char *command, const char *containerid,
                  const char *ifname, json_object **ret, cni_error *e);

/* The verbs. */
int cni_add(const cni_conf *c, const cni_env *env, json_object **ret, cni_error *e);
int cni_del(const cni_conf *c, const cni_env *env, cni_error *e);
int cni_check(const cni_conf *c, const cni_env *env, cni_error *e);
int cni_gc(const cni_conf *c, const cni_env *env, cni_error *e);
int cni_status(const cni_conf *c, const cni_env *env, cni_error *e);

/* Shared by the verbs: the context for the config's stateDir, and the
 * port of one attachment (NULL if there is none). */
int cni_ctx_open(const cni_conf *c, bool read_only, vport_ctx **ret, cni_error *e);
/* The longest owner name vport keeps (its names' limit): a longer
 * CNI_CONTAINERID can have no port. */
#define CNI_OWNER_NAME_MAX 200
int cni_find_port(vport_ctx *ctx, const cni_conf *c, const char *containerid, const char *ifname,
                  vport_port **ret, cni_error *e);

/* Results. */
json_object *cni_result_new(const char *version);
/* Append the IPs of an IPAM result (any version's shape) as version's
 * shape, each on interface index iface; routes and dns are merged too. */
int cni_result_add_ipam(json_object *res, const char *version, json_object *ipam, int iface, cni_error *e);
/* The addresses ("10.0.0.5/24") of a result on interface index iface (-1: all). */
int cni_result_addresses(json_object *res, int iface, const char ***ret, size_t *ret_n);

/* Hand over a pointer, leaving NULL behind. */
#define TAKE(p)                         \
        ({                              \
                __typeof__(p) _t = (p); \
                (p) = NULL;             \
                _t;                     \
        })
