/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* port-* verbs and reconcile. */
#include "cli.h"

static int print_port(vport_cli *cli, const vport_port *p, const char *done) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        const char *ifname = vport_port_get_ifname(p), *tapdev = vport_port_get_tapdev(p);

        if (cli->json)
                return cli_print_json(cli, vport_port_to_json(p));
        printf("Port %s %s (network %s, mac %s, state %s", vport_uuid_format(vport_port_get_uuid(p), uuid),
               done, cli_esc(vport_port_get_network(p)), vport_mac_format(vport_port_get_mac(p), mac),
               vport_port_state_to_string(vport_port_get_state(p)));
        if (vport_port_get_device(p))
                printf(", device %s", cli_esc(vport_port_get_device(p)));
        if (ifname)
                printf(", ifname %s", cli_esc(ifname));
        if (tapdev)
                printf(", tapdev %s", cli_esc(tapdev));
        printf(")\n");
        return 0;
}

typedef struct create_args {
        vport_port_request req;
        vport_mac mac;
        vport_uuid owner_uuid;
        char *xml; /* owned */
} create_args;

/* The values of port-create's options. Returns 0, a usage error, or a failure to read --xml. */
static int parse_create(vport_cli *cli, const cli_args *a, create_args *c) {
        uint16_t tag;
        int r;

        c->req = (vport_port_request){ .network = a->pos[0],
                                       .vlan = -1,
                                       .owner_name = a->owner,
                                       .portgroup = a->portgroup,
                                       .device = a->device };
        if ((r = cli_check_netname(cli, a->pos[0])) < 0)
                return r;
        if (a->mac && vport_mac_parse(a->mac, &c->mac) < 0)
                return cli_usage_error(cli, "--mac '%s': not a MAC address", a->mac);
        if (a->owner_uuid && vport_uuid_parse(a->owner_uuid, &c->owner_uuid) < 0)
                return cli_usage_error(cli, "--owner-uuid '%s': not a UUID", a->owner_uuid);
        if (a->vlan && vlan_tag_parse(a->vlan, &tag) < 0)
                return cli_usage_error(cli, "--vlan '%s': not a tag in 0-4095", a->vlan);
        if (a->incoming && !a->prepare)
                return cli_usage_error(cli, "--incoming only with --prepare");
        if (a->xml && (r = cli_read_file(cli, a->xml, &c->xml)) < 0)
                return r;
        c->req.mac = a->mac ? &c->mac : NULL;
        c->req.owner_uuid = a->owner_uuid ? &c->owner_uuid : NULL;
        c->req.vlan = a->vlan ? tag : -1;
        c->req.xml = c->xml;
        c->req.flags = (a->prepare ? VPORT_PORT_PREPARE : 0) | (a->incoming ? VPORT_PORT_INCOMING : 0) |
                       (a->reclaim ? VPORT_PORT_RECLAIM : 0);
        cli_object(cli, "network", a->pos[0]);
        return 0;
}

int verb_port_create(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        create_args c = { 0 };
        vport_ctx *ctx;
        int r;

        if ((r = parse_create(cli, a, &c)) < 0) { /* already reported */
                free(c.xml);
                return r;
        }
        if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_port_create(ctx, &c.req, &port, &cli->err);
        free(c.xml);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, port, "created");
}

/* The port a single-port verb is about. Returns 0 or a usage error. */
static int port_uuid(vport_cli *cli, const cli_args *a, vport_uuid *ret) {
        if (a->n_pos != 1)
                return cli_usage_error(cli, "expected a port UUID");
        cli_object(cli, "port", a->pos[0]);
        if (vport_uuid_parse(a->pos[0], ret) < 0)
                return cli_usage_error(cli, "'%s' is not a UUID", a->pos[0]);
        return 0;
}

typedef int (*step_fn)(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
typedef int (*owner_fn)(vport_ctx *ctx, const char *owner, vport_error *err);

/* VERB --owner NAME: every port of one VM at once. */
static int owner_step(vport_cli *cli, const char *owner, owner_fn fn, const char *done) {
        vport_ctx *ctx;
        int r;

        cli_object(cli, "owner", owner);
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = fn(ctx, owner, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "owner", json_object_new_string(owner));
                json_object_object_add(o, done, json_object_new_int(r));
                return cli_print_json(cli, o);
        }
        printf("%c%s %d port%s of %s\n", done[0] - 'a' + 'A', done + 1, r, r == 1 ? "" : "s",
               cli_esc(owner));
        return 0;
}

/* UUID | --owner NAME: exactly one of them. Returns 1 for --owner, 0 for a UUID, or a usage error. */
static int port_or_owner(vport_cli *cli, const cli_args *a, vport_uuid *ret) {
        if (a->owner && a->n_pos == 0)
                return 1;
        if (a->owner)
                return cli_usage_error(cli, "give a port UUID or --owner, not both");
        return port_uuid(cli, a, ret);
}

static int port_step(vport_cli *cli, const cli_args *a, step_fn fn, owner_fn ofn, const char *done) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r = port_or_owner(cli, a, &uuid);

        if (r != 0)
                return r > 0 ? owner_step(cli, a->owner, ofn, done) : r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = fn(ctx, &uuid, &port, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, port, done);
}

int verb_port_prepare(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r;

        if ((r = port_uuid(cli, a, &uuid)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_port_prepare(ctx, &uuid, a->incoming ? VPORT_PORT_INCOMING : 0, &port, &cli->err)) <
                    0)
                return cli_fail(cli, r, NULL);
        return print_port(cli, port, "prepared");
}

int verb_port_activate(vport_cli *cli, const cli_args *a) {
        return port_step(cli, a, vport_port_activate, vport_port_activate_owner, "activated");
}

int verb_port_deactivate(vport_cli *cli, const cli_args *a) {
        return port_step(cli, a, vport_port_deactivate, vport_port_deactivate_owner, "deactivated");
}

int verb_port_delete(vport_cli *cli, const cli_args *a) {
        vport_uuid uuid;
        vport_ctx *ctx;
        int r = port_or_owner(cli, a, &uuid);

        if (r != 0)
                return r > 0 ? owner_step(cli, a->owner, vport_port_delete_owner, "deleted") : r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_port_delete(ctx, &uuid, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                char u[VPORT_UUID_STRLEN];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "uuid", json_object_new_string(vport_uuid_format(&uuid, u)));
                json_object_object_add(o, "deleted", json_object_new_int(1));
                return cli_print_json(cli, o);
        }
        printf("Port %s deleted\n", a->pos[0]);
        return 0;
}

/* One row of port-list: every field escaped, so a name can not fake a row. */
static void print_port_row(const vport_port *p) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        const char *state = vport_port_get_stale(p)    ? "stale"
                            : vport_port_get_damage(p) ? "damaged"
                                                       : vport_port_state_to_string(vport_port_get_state(p));

        printf(" %-36s %-12s %-17s %-9s %-12s %s\n", vport_uuid_format(vport_port_get_uuid(p), uuid),
               cli_esc(vport_port_get_network(p)), vport_mac_format(vport_port_get_mac(p), mac), state,
               cli_esc(strempty(vport_port_get_owner_name(p))), cli_esc(vport_port_get_device(p)));
}

static void print_port_table(vport_port **ports, size_t n) {
        char uuid[VPORT_UUID_STRLEN];

        printf(" %-36s %-12s %-17s %-9s %-12s %s\n", "UUID", "Network", "MAC", "State", "Owner", "Device");
        for (size_t i = 0; i < n; i++)
                print_port_row(ports[i]);
        /* why a port is listed as damaged, and what can be done with it */
        for (size_t i = 0; i < n; i++)
                if (vport_port_get_damage(ports[i]))
                        fprintf(stderr, "vport: note: port %s: %s; it can only be deleted\n",
                                vport_uuid_format(vport_port_get_uuid(ports[i]), uuid),
                                cli_esc(vport_port_get_damage(ports[i])));
}

int verb_port_list(vport_cli *cli, const cli_args *a) {
        const char *net = a->n_pos ? a->pos[0] : NULL;
        vport_port **ports = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if (net && (r = cli_check_netname(cli, net)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_port_list(ctx, net, &ports, &n, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *arr = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(arr, vport_port_to_json(ports[i]));
                cli_print_json(cli, arr);
        } else
                print_port_table(ports, n);
        vport_port_array_free(ports, n);
        return 0;
}

int verb_port_dumpxml(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL;
        vport_uuid uuid;
        vport_ctx *ctx;
        int r;

        if ((r = port_uuid(cli, a, &uuid)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_port_dumpxml(ctx, &uuid, &xml, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                char u[VPORT_UUID_STRLEN];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "uuid", json_object_new_string(vport_uuid_format(&uuid, u)));
                json_object_object_add(o, "xml", json_object_new_string(xml));
                return cli_print_json(cli, o);
        }
        fputs(xml, stdout);
        return 0;
}

static const char *get_str(json_object *o, const char *key) {
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
                        printf("Repaired: %s (%d)\n", cli_esc(get_str(o, "action")), json_object_get_int(v));
                else
                        printf("Repaired: port %s: %s\n", cli_esc(get_str(o, "port")),
                               cli_esc(get_str(o, "action")));
        }
        if (n_drift == 0) {
                printf("No drift found\n");
                return;
        }
        printf("Drift (reported only, nothing changed):\n");
        for (size_t i = 0; i < n_drift; i++) {
                json_object *o = json_object_array_get_idx(drift, i);
                if (get_str(o, "port")[0])
                        printf("  %s: port %s (owner %s, network %s): %s\n", cli_esc(get_str(o, "kind")),
                               cli_esc(get_str(o, "port")), cli_esc(get_str(o, "owner")),
                               cli_esc(get_str(o, "network")), cli_esc(get_str(o, "detail")));
                else
                        printf("  %s: %s\n", cli_esc(get_str(o, "kind")), cli_esc(get_str(o, "detail")));
        }
}

int verb_reconcile(vport_cli *cli, const cli_args *a) {
        json_object *repaired = NULL, *drift = NULL;
        vport_ctx *ctx;
        int r, handled;

        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_reconcile_ex(ctx, &repaired, &cli->err)) < 0) {
                json_object_put(repaired);
                return cli_fail(cli, r, NULL);
        }
        handled = r;
        if ((r = vport_drift(ctx, &drift, &cli->err)) < 0) {
                json_object_put(repaired);
                return cli_fail(cli, r, NULL);
        }
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "handled", json_object_new_int(handled));
                json_object_object_add(o, "repaired", repaired);
                json_object_object_add(o, "drift", drift);
                return cli_print_json(cli, o);
        }
        print_reconcile(handled, repaired, drift);
        json_object_put(repaired);
        json_object_put(drift);
        return 0;
}
