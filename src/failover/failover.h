/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-failover: a VF transparently carrying a synthetic (paravirtual)
 * NIC's traffic, the synthetic path taking over when the VF goes (seed 004).
 *
 * It runs where the two devices are (inside a guest), so it links only
 * base/ and kernel/: no store, no vportd. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/mac.h"
#include "base/names.h"
#include "base/pci.h"
#include "kernel/kernel.h"
#include "varlink-io.h"

#define FO_DEFAULT_SOCKET    "/run/vport/failover.socket"
#define FO_DEFAULT_STATE_DIR "/var/lib/vport-failover"
#define FO_MAX_PAIRS         64
#define FO_MAX_IGNORED       32
/* A message larger than this is not one the agent sends or takes. */
#define FO_MESSAGE_MAX (256 * 1024)
/* How long a call (the CLI) or a reply (the agent) waits for the other end. */
#define FO_CALL_TIMEOUT_MS 10000

typedef enum fo_path {
        FO_PATH_SYNTHETIC, /* frames leave through the synthetic device */
        FO_PATH_VF,        /* the synthetic's egress is redirected to the VF */
} fo_path;

/* One synthetic device and the VF that may join it. */
typedef struct fo_pair {
        /* configuration, kept in the state file */
        char synth[VPORT_IFNAMSIZ];
        bool has_vf_pci;
        vport_pci_addr vf_pci;
        int detached_vf; /* ifindex released by detach: never joins again */
        /* runtime */
        int synth_ifindex;  /* 0: not present */
        int clsact_ifindex; /* the synthetic ifindex its clsact qdisc is known on (0: none yet) */
        vport_mac synth_mac;
        int synth_up;   /* last admin state seen: -1 unknown */
        int vf_ifindex; /* 0: no VF joined */
        char vf_name[VPORT_IFNAMSIZ];
        bool ingress_on; /* VF ingress -> synthetic ingress installed */
        fo_path path;
        bool adopted;                /* filters may exist from before a restart */
        unsigned switches;           /* times the data path moved */
        char warning[256];           /* a wrong setup (addresses on the VF), or "" */
        char error[VPORT_ERROR_MAX]; /* the last failed kernel step, or "" */
        int ignored[FO_MAX_IGNORED]; /* ifindexes with the MAC that may never join (logged once) */
        size_t n_ignored;
} fo_pair;

typedef struct fo_agent {
        vport_kernel *k;
        const vport_kernel_ops *ops;
        fo_pair pairs[FO_MAX_PAIRS];
        size_t n_pairs;
        char state_dir[256];
        bool verbose;
} fo_agent;

/* Logging (stderr; the agent runs in the foreground under a supervisor). */
void fo_log(const char *fmt, ...) _printf_(1, 2);

/* pair.c: bring every pair to the state the links call for. links is a
 * snapshot of the namespace (link_list). Never fails: a kernel step that
 * fails is logged and kept in the pair's error, the synthetic path stays. */
void fo_pair_sync(fo_agent *a, fo_pair *p, const vport_link *links, size_t n);
/* Switch back to the synthetic path (synthetic egress redirect removed
 * first). detach: the VF is kept out until it goes; otherwise (remove) its
 * ingress redirect and alias go too. Returns 0 or a negative errno. */
int fo_pair_release(fo_agent *a, fo_pair *p, bool detach, vport_error *err);
const char *fo_pair_state(const fo_pair *p);
json_object *fo_pair_to_json(const fo_pair *p);

/* agent.c */
int fo_agent_sync_all(fo_agent *a);
fo_pair *fo_agent_find(fo_agent *a, const char *synth);
int fo_agent_run(const char *socket_path, const char *state_dir, const vport_kernel_ops *ops);

/* state.c: the pairs' configuration and joined VF, as JSON in
 * STATE_DIR/pairs.json (written whole to a temporary file, then renamed). */
int fo_state_load(fo_agent *a, vport_error *err);
int fo_state_save(fo_agent *a, vport_error *err);

/* server.c: one call in, its reply (or error) appended to *out as one
 * message. Returns 0 or -ENOMEM. */
int fo_server_handle(fo_agent *a, const vl_call *call, char **out, size_t *out_len);
