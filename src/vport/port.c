/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* port-* verbs and reconcile. */
#include <getopt.h>

#include "cli.h"

static int print_port(vport_cli *cli, const vport_port *p, const char *done) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];

        if (cli->json)
                return cli_print_json(vport_port_to_json(p));
        printf("Port %s %s (network %s, mac %s, state %s", uuid_format(&p->def->uuid, uuid), done,
               cli_esc(p->network), mac_format(&p->def->mac, mac), port_state_to_string(p->state));
        if (p->device)
                printf(", device %s", cli_esc(p->device));
        if (p->rt.ifname[0])
                printf(", ifname %s", cli_esc(p->rt.ifname));
        if (p->rt.tapdev[0])
                printf(", tapdev %s", cli_esc(p->rt.tapdev));
        printf(")\n");
        return 0;
}

typedef struct create_args {
        vport_port_request req;
        vport_mac mac;
        vport_uuid owner_uuid;
        char *xml; /* owned */
} create_args;

static int parse_create_opt(int c, const char *arg, create_args *a) {
        vport_error e = { 0 };
        uint16_t tag;
        int r;

        switch (c) {
        case 'm':
                if (mac_parse(arg, &a->mac) < 0)
                        return cli_usage_error("port-create", "--mac '%s': not a MAC address", arg);
                a->req.mac = &a->mac;
                return 0;
        case 'o':
                a->req.owner_name = arg;
                return 0;
        case 'u':
                if (uuid_parse(arg, &a->owner_uuid) < 0)
                        return cli_usage_error("port-create", "--owner-uuid '%s': not a UUID", arg);
                a->req.owner_uuid = &a->owner_uuid;
                return 0;
        case 'g':
                a->req.portgroup = arg;
                return 0;
        case 'v':
                if (vlan_tag_parse(arg, &tag) < 0)
                        return cli_usage_error("port-create", "--vlan '%s': not a tag in 0-4095", arg);
                a->req.vlan = tag;
                return 0;
        case 'x':
                free(a->xml);
                a->xml = NULL;
                if ((r = cli_read_file(arg, &a->xml, &e)) < 0)
                        return cli_usage_error("port-create", "--xml: %s", vport_error_message(&e, r));
                a->req.xml = a->xml;
                return 0;
        case 'd':
                a->req.device = arg;
                return 0;
        case 'p':
                a->req.flags |= VPORT_PORT_PREPARE;
                return 0;
        case 'i':
                a->req.flags |= VPORT_PORT_INCOMING;
                return 0;
        case 'r':
                a->req.flags |= VPORT_PORT_RECLAIM;
                return 0;
        default:
                return cli_usage_error("port-create", "unknown option");
        }
}

int verb_port_create(vport_cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "mac", required_argument, NULL, 'm' },
                { "owner", required_argument, NULL, 'o' },
                { "owner-uuid", required_argument, NULL, 'u' },
                { "portgroup", required_argument, NULL, 'g' },
                { "vlan", required_argument, NULL, 'v' },
                { "xml", required_argument, NULL, 'x' },
                { "prepare", no_argument, NULL, 'p' },
                { "incoming", no_argument, NULL, 'i' },
                { "device", required_argument, NULL, 'd' },
                { "reclaim", no_argument, NULL, 'r' },
                {},
        };
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        create_args a = { .req.vlan = -1 };
        vport_ctx *ctx;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                if ((r = parse_create_opt(c, optarg, &a)) < 0) {
                        free(a.xml);
                        return r;
                }
        if (optind != argc - 1 ||
            ((a.req.flags & VPORT_PORT_INCOMING) && !(a.req.flags & VPORT_PORT_PREPARE))) {
                free(a.xml);
                return cli_usage_error(argv[0],
                                       "expected one network name (and --incoming only with --prepare)");
        }
        a.req.network = argv[optind];
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = vport_port_create(ctx, &a.req, &port, &cli->err);
        free(a.xml);
        if (r < 0)
                return cli_fail(cli, r, argv[0]);
        return print_port(cli, port, "created");
}

/* UUID [--incoming] for the single-port lifecycle verbs. */
static int parse_uuid_arg(int argc, char **argv, bool allow_incoming, vport_uuid *ret, unsigned *ret_flags) {
        const char *u = NULL;

        *ret_flags = 0;
        for (int i = 1; i < argc; i++) {
                if (allow_incoming && streq(argv[i], "--incoming"))
                        *ret_flags |= VPORT_PORT_INCOMING;
                else if (!u && argv[i][0] != '-')
                        u = argv[i];
                else
                        return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        }
        if (!u)
                return cli_usage_error(argv[0], "expected a port UUID");
        if (uuid_parse(u, ret) < 0)
                return cli_usage_error(argv[0], "'%s' is not a UUID", u);
        return 0;
}

/* The start of every single-port verb: its UUID (and --incoming where
 * allowed) parsed, the library opened. */
static int uuid_verb_open(vport_cli *cli, int argc, char **argv, bool allow_incoming, vport_uuid *ret_uuid,
                          unsigned *ret_flags, vport_ctx **ret_ctx) {
        int r = parse_uuid_arg(argc, argv, allow_incoming, ret_uuid, ret_flags);

        if (r < 0)
                return r;
        r = cli_ctx(cli, ret_ctx);
        return r < 0 ? cli_fail(cli, r, argv[0]) : 0;
}

typedef int (*step_fn)(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);

static int port_step(vport_cli *cli, int argc, char **argv, step_fn fn, const char *done) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        unsigned flags;
        vport_ctx *ctx;
        int r;

        if ((r = uuid_verb_open(cli, argc, argv, false, &uuid, &flags, &ctx)) < 0)
                return r;
        if ((r = fn(ctx, &uuid, &port, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        return print_port(cli, port, done);
}

int verb_port_prepare(vport_cli *cli, int argc, char **argv) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        unsigned flags;
        vport_ctx *ctx;
        int r;

        if ((r = uuid_verb_open(cli, argc, argv, true, &uuid, &flags, &ctx)) < 0)
                return r;
        if ((r = vport_port_prepare(ctx, &uuid, flags, &port, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        return print_port(cli, port, "prepared");
}

typedef int (*owner_fn)(vport_ctx *ctx, const char *owner, vport_error *err);

/* VERB --owner NAME: every port of one VM at once. */
static int owner_step(vport_cli *cli, const char *verb, const char *owner, owner_fn fn, const char *done) {
        vport_ctx *ctx;
        int r;

        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = fn(ctx, owner, &cli->err)) < 0)
                return cli_fail(cli, r, verb);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, done, json_object_new_int(r));
                return cli_print_json(o);
        }
        printf("%c%s %d port%s of %s\n", done[0] - 'a' + 'A', done + 1, r, r == 1 ? "" : "s",
               cli_esc(owner));
        return 0;
}

int verb_port_activate(vport_cli *cli, int argc, char **argv) {
        if (argc == 3 && streq(argv[1], "--owner"))
                return owner_step(cli, argv[0], argv[2], vport_port_activate_owner, "activated");
        return port_step(cli, argc, argv, vport_port_activate, "activated");
}

int verb_port_deactivate(vport_cli *cli, int argc, char **argv) {
        if (argc == 3 && streq(argv[1], "--owner"))
                return owner_step(cli, argv[0], argv[2], vport_port_deactivate_owner, "deactivated");
        return port_step(cli, argc, argv, vport_port_deactivate, "deactivated");
}

static int print_deleted(vport_cli *cli, const char *uuid) {
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "deleted", json_object_new_int(1));
                return cli_print_json(o);
        }
        printf("Port %s deleted\n", uuid);
        return 0;
}

int verb_port_delete(vport_cli *cli, int argc, char **argv) {
        vport_uuid uuid;
        unsigned flags;
        vport_ctx *ctx;
        int r;

        if (argc == 3 && streq(argv[1], "--owner"))
                return owner_step(cli, argv[0], argv[2], vport_port_delete_owner, "deleted");
        if ((r = uuid_verb_open(cli, argc, argv, false, &uuid, &flags, &ctx)) < 0)
                return r;
        if ((r = vport_port_delete(ctx, &uuid, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        return print_deleted(cli, argv[1]);
}

/* One row of port-list: every field escaped, so a name can not fake a row. */
static void print_port_row(const vport_port *p) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        const char *state = p->stale ? "stale" : p->damage ? "damaged" : port_state_to_string(p->state);

        printf(" %-36s %-12s %-17s %-9s %-12s %s\n", uuid_format(&p->def->uuid, uuid), cli_esc(p->network),
               mac_format(&p->def->mac, mac), state, cli_esc(strempty(p->def->owner_name)),
               cli_esc(p->device));
}

/* Why a port is listed as damaged, and what can be done with it. */
static void print_damaged(vport_port **ports, size_t n) {
        char uuid[VPORT_UUID_STRLEN];

        for (size_t i = 0; i < n; i++)
                if (ports[i]->damage)
                        fprintf(stderr, "vport: note: port %s: %s; it can only be deleted\n",
                                uuid_format(&ports[i]->def->uuid, uuid), cli_esc(ports[i]->damage));
}

int verb_port_list(vport_cli *cli, int argc, char **argv) {
        vport_port **ports = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if (argc > 2)
                return cli_usage_error(argv[0], "expected at most a network name");
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_port_list(ctx, argc == 2 ? argv[1] : NULL, &ports, &n, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json) {
                json_object *a = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(a, vport_port_to_json(ports[i]));
                cli_print_json(a);
        } else {
                printf(" %-36s %-12s %-17s %-9s %-12s %s\n", "UUID", "Network", "MAC", "State", "Owner",
                       "Device");
                for (size_t i = 0; i < n; i++)
                        print_port_row(ports[i]);
                print_damaged(ports, n);
        }
        vport_port_array_free(ports, n);
        return 0;
}

int verb_port_dumpxml(vport_cli *cli, int argc, char **argv) {
        _cleanup_free_ char *xml = NULL;
        vport_uuid uuid;
        unsigned flags;
        vport_ctx *ctx;
        int r;

        if ((r = uuid_verb_open(cli, argc, argv, false, &uuid, &flags, &ctx)) < 0)
                return r;
        if ((r = vport_port_dumpxml(ctx, &uuid, &xml, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "xml", json_object_new_string(xml));
                return cli_print_json(o);
        }
        fputs(xml, stdout);
        return 0;
}

static const char *json_str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* What reconcile repaired, then the drift it only reports. */
static void print_reconcile(int handled, json_object *repaired, json_object *drift) {
        size_t n_rep = json_object_array_length(repaired), n_drift = json_object_array_length(drift);

        printf("Reconciled %d journal entr%s\n", handled, handled == 1 ? "y" : "ies");
        for (size_t i = 0; i < n_rep; i++) {
                json_object *o = json_object_array_get_idx(repaired, i), *v;
                if (json_object_object_get_ex(o, "stale_ports", &v))
                        printf("Repaired: %s (%d)\n", json_str(o, "action"), json_object_get_int(v));
                else
                        printf("Repaired: port %s: %s\n", json_str(o, "port"), json_str(o, "action"));
        }
        if (n_drift == 0) {
                printf("No drift found\n");
                return;
        }
        printf("Drift (reported only, nothing changed):\n");
        for (size_t i = 0; i < n_drift; i++) {
                json_object *o = json_object_array_get_idx(drift, i);
                if (json_str(o, "port")[0])
                        printf("  %s: port %s (owner %s, network %s): %s\n", json_str(o, "kind"),
                               json_str(o, "port"), json_str(o, "owner"), json_str(o, "network"),
                               json_str(o, "detail"));
                else
                        printf("  %s: %s\n", json_str(o, "kind"), json_str(o, "detail"));
        }
}

int verb_reconcile(vport_cli *cli, int argc, char **argv) {
        json_object *repaired = NULL, *drift = NULL;
        vport_ctx *ctx;
        int r, handled;

        if (argc != 1)
                return cli_usage_error(argv[0], "takes no arguments");
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_reconcile_ex(ctx, &repaired, &cli->err)) < 0) {
                json_object_put(repaired);
                return cli_fail(cli, r, argv[0]);
        }
        handled = r;
        if ((r = vport_drift(ctx, &drift, &cli->err)) < 0) {
                json_object_put(repaired);
                return cli_fail(cli, r, argv[0]);
        }
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "handled", json_object_new_int(handled));
                json_object_object_add(o, "repaired", repaired);
                json_object_object_add(o, "drift", drift);
                return cli_print_json(o);
        }
        print_reconcile(handled, repaired, drift);
        json_object_put(repaired);
        json_object_put(drift);
        return 0;
}
