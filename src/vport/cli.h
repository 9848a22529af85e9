/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vport command line: parse, call the library, print. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "core/vport.h"

/* Options a verb may take; a verb lists the ones it accepts. */
enum {
        OPT_MAC = 1u << 0,
        OPT_OWNER = 1u << 1,
        OPT_OWNER_UUID = 1u << 2,
        OPT_PORTGROUP = 1u << 3,
        OPT_VLAN = 1u << 4,
        OPT_XML = 1u << 5,
        OPT_DEVICE = 1u << 6,
        OPT_PREPARE = 1u << 7,
        OPT_INCOMING = 1u << 8,
        OPT_DISABLE = 1u << 9,
        OPT_FORCE = 1u << 10,
        OPT_RECLAIM = 1u << 11,
        OPT_VHOST = 1u << 12,
        OPT_GENERATION = 1u << 13,
};

/* The command line, parsed once for every verb: global options and verb
 * options may come anywhere, "--" ends them. */
typedef struct cli_args {
        char **pos; /* positional arguments after the verb */
        int n_pos;
        const char *mac, *owner, *owner_uuid, *portgroup, *vlan, *xml, *device, *generation;
        bool prepare, incoming, disable, force, reclaim, vhost;
        char **cmd; /* port-exec: what follows the first "--" */
        int n_cmd;
        unsigned given; /* OPT_* seen */
} cli_args;

typedef struct vport_cli vport_cli;
typedef int (*cli_verb_fn)(vport_cli *cli, const cli_args *a);

typedef struct cli_verb {
        const char *name;
        cli_verb_fn run;
        const char *usage;   /* arguments */
        const char *summary; /* one sentence: what it does */
        unsigned options;    /* OPT_* accepted */
        int min_pos, max_pos;
        bool read_only; /* only reads: never creates the state directory or database */
} cli_verb;

struct vport_cli {
        const cli_verb *verb;
        bool json, pretty;
        const char *state_dir; /* --state-dir, else $VPORT_STATE_DIR, else the default */
        vport_ctx *ctx;        /* opened by cli_ctx() */
        vport_error err;       /* what the failing call said */
        bool usage_error;      /* the command line was wrong: exit 2 */
        const char *obj_kind;  /* what the failure is about: "network", "port", "file", ... */
        const char *obj_name;
        const char *connect;  /* --connect: vportd's socket; NULL: run in this process */
        json_object *notices; /* the daemon's notices (--connect) */
};

/* The library context, opened on first use: read-only for a verb that only
 * reads (nothing is created; a missing store reads as empty), else creating
 * the state directory and database if needed. Returns 0 or -errno (cli->err set). */
int cli_ctx(vport_cli *cli, vport_ctx **ret);

/* $VPORT_FAULT (fault injection, core/fault.h), checked before the verb
 * runs: a spec the wrapper refuses, or any spec with --connect (vportd makes
 * the kernel calls, so it would never fire), is reported and ends the run
 * before anything is read or changed. Otherwise cli_ctx() opens the context
 * through the fault table. Returns 0 or -errno (reported). */
int cli_faults_install(vport_cli *cli);

/* Free the fault table cli_faults_install() made (after closing the context). */
void cli_fault_free(void);

/* Remember what the verb is about, for the error object of --json. */
void cli_object(vport_cli *cli, const char *kind, const char *name);

/* Print a JSON value on stdout (compact, or --pretty) and free it. Returns 0. */
int cli_print_json(vport_cli *cli, json_object *o);

/* Report a failed call: "vport: VERB: [WHAT: ]why" on stderr (with --json,
 * a JSON object). Returns r. */
int cli_fail(vport_cli *cli, int r, const char *what);

/* Report a wrong command line (exit status 2) and the verb's usage. Returns -EINVAL. */
int cli_usage_error(vport_cli *cli, const char *fmt, ...) _printf_(2, 3);

/* Check a network / interface name given on the command line; a usage
 * error naming it if refused. Returns 0 or -EINVAL. */
int cli_check_netname(vport_cli *cli, const char *name);
int cli_check_ifname(vport_cli *cli, const char *name);

/* s made safe for one field of a text table: valid UTF-8 text is kept,
 * a control character, an invalid byte or a backslash becomes a C escape
 * (\n, \t, \xNN, \\), so a value can neither fake a row nor move the
 * terminal's cursor. NULL gives "-". The result lives in one of 16 static
 * slots: valid until 16 more calls (enough for the fields of one printf). */
const char *cli_esc(const char *s);

/* --connect: call method on vportd with params (taken). Returns 0 and the
 * reply's parameters in *ret, or -errno with cli->err holding the daemon's
 * message (the errno it named); a failure that still carries a result (a
 * net-destroy that tore down some ports) also sets *ret. */
int cli_call(vport_cli *cli, const char *method, json_object *params, json_object **ret);
/* reply[key] with a reference of its own; reply is released. NULL if absent. */
json_object *cli_take(json_object *reply, const char *key);

/* Members of JSON objects for the text printers: "" / NULL / -1 / false if absent. */
const char *cli_jstr(json_object *o, const char *key);
const char *cli_jstr_null(json_object *o, const char *key);
int64_t cli_jint(json_object *o, const char *key, int64_t def);
bool cli_jbool(json_object *o, const char *key);
json_object *cli_jget(json_object *o, const char *key);

/* Read a whole file ("-" = stdin) into a NUL-terminated buffer; on failure
 * reports "reading 'PATH': why". Returns 0 or -errno. */
int cli_read_file(vport_cli *cli, const char *path, char **ret);

/* The verbs, one file per group. */
int verb_help(vport_cli *cli, const cli_args *a);
int verb_net_define(vport_cli *cli, const cli_args *a);
int verb_net_undefine(vport_cli *cli, const cli_args *a);
int verb_net_start(vport_cli *cli, const cli_args *a);
int verb_net_destroy(vport_cli *cli, const cli_args *a);
int verb_net_list(vport_cli *cli, const cli_args *a);
int verb_net_dumpxml(vport_cli *cli, const cli_args *a);
int verb_net_info(vport_cli *cli, const cli_args *a);
int verb_net_autostart(vport_cli *cli, const cli_args *a);
int verb_port_create(vport_cli *cli, const cli_args *a);
int verb_port_prepare(vport_cli *cli, const cli_args *a);
int verb_port_activate(vport_cli *cli, const cli_args *a);
int verb_port_deactivate(vport_cli *cli, const cli_args *a);
int verb_port_delete(vport_cli *cli, const cli_args *a);
int verb_port_list(vport_cli *cli, const cli_args *a);
int verb_port_dumpxml(vport_cli *cli, const cli_args *a);
int verb_reconcile(vport_cli *cli, const cli_args *a);
int verb_vf_list(vport_cli *cli, const cli_args *a);
int verb_vf_set_mac(vport_cli *cli, const cli_args *a);
int verb_port_qemu_args(vport_cli *cli, const cli_args *a);
int verb_port_exec(vport_cli *cli, const cli_args *a);
