/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vport command line: parse, call the library, print. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "core/vport.h"

typedef struct vport_cli {
        bool json;       /* --json: machine-readable output on stdout */
        vport_ctx *ctx;  /* opened lazily by cli_ctx() */
        bool read_only;  /* the verb only reads: never create the state */
        vport_error err; /* what the failing library call said */
} vport_cli;

typedef int (*cli_verb_fn)(vport_cli *cli, int argc, char **argv);

typedef struct cli_verb {
        const char *name;
        cli_verb_fn run;
        const char *usage; /* arguments, shown by --help */
} cli_verb;

/* The library context, opened on first use. Returns 0 or -errno (cli->err set). */
int cli_ctx(vport_cli *cli, vport_ctx **ret);

/* Print a JSON value on stdout (pretty, one document) and free it. Returns 0. */
int cli_print_json(json_object *o);

/* Print "vport: <what>: <message>" on stderr for a failed call. Returns r. */
int cli_fail(vport_cli *cli, int r, const char *what);

/* Print a usage error for a verb on stderr. Returns -EINVAL. */
int cli_usage_error(const char *verb, const char *fmt, ...) _printf_(2, 3);

/* s made safe for one field of a text table: valid UTF-8 text is kept,
 * a control character, an invalid byte or a backslash becomes a C escape
 * (\n, \t, \xNN, \\), so a value can neither fake a row nor move the
 * terminal's cursor. NULL gives "-". The result lives in one of 16 static
 * slots: valid until 16 more calls (enough for the fields of one printf). */
const char *cli_esc(const char *s);

/* Read a whole text file ("-" = stdin, at most 16 MiB, no NUL byte) into a
 * NUL-terminated buffer. Returns 0 or -errno with err naming the file and
 * the cause. */
int cli_read_file(const char *path, char **ret, vport_error *err);

/* The verbs, one file per group. */
int verb_net_define(vport_cli *cli, int argc, char **argv);
int verb_net_undefine(vport_cli *cli, int argc, char **argv);
int verb_net_start(vport_cli *cli, int argc, char **argv);
int verb_net_destroy(vport_cli *cli, int argc, char **argv);
int verb_net_list(vport_cli *cli, int argc, char **argv);
int verb_net_dumpxml(vport_cli *cli, int argc, char **argv);
int verb_net_info(vport_cli *cli, int argc, char **argv);
int verb_net_autostart(vport_cli *cli, int argc, char **argv);
int verb_port_create(vport_cli *cli, int argc, char **argv);
int verb_port_prepare(vport_cli *cli, int argc, char **argv);
int verb_port_activate(vport_cli *cli, int argc, char **argv);
int verb_port_deactivate(vport_cli *cli, int argc, char **argv);
int verb_port_delete(vport_cli *cli, int argc, char **argv);
int verb_port_list(vport_cli *cli, int argc, char **argv);
int verb_port_dumpxml(vport_cli *cli, int argc, char **argv);
int verb_reconcile(vport_cli *cli, int argc, char **argv);
int verb_vf_list(vport_cli *cli, int argc, char **argv);
int verb_vf_set_mac(vport_cli *cli, int argc, char **argv);
