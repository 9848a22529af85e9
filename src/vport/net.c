/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-* verbs. */
#include "cli.h"

static const char *get_str(json_object *o, const char *key, const char *def) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : def;
}

/* {"name": NAME} plus one boolean, the shape of every net-* verb that changes state. */
static int print_net(vport_cli *cli, const char *name, const char *key, bool value) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(name));
        if (key)
                json_object_object_add(o, key, json_object_new_boolean(value));
        return cli_print_json(cli, o);
}

int verb_net_define(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL, *name = NULL;
        const char *path = a->pos[0];
        vport_ctx *ctx;
        int r;

        if ((r = cli_read_file(cli, path, &xml)) < 0)
                return r;
        cli_object(cli, "file", path);
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_define(ctx, xml, &name, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return print_net(cli, name, NULL, false);
        printf("Network %s defined from %s\n", cli_esc(name), cli_esc(path));
        return 0;
}

/* The verbs that take a network name and print one line. */
typedef int (*net_fn)(vport_ctx *ctx, const char *name, vport_error *err);

static int net_simple(vport_cli *cli, const cli_args *a, net_fn fn, const char *key, bool value,
                      const char *done) {
        const char *name = a->pos[0];
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = fn(ctx, name, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return print_net(cli, name, key, value);
        printf("Network %s %s\n", cli_esc(name), done);
        return 0;
}

int verb_net_undefine(vport_cli *cli, const cli_args *a) {
        return net_simple(cli, a, vport_net_undefine, "defined", false, "has been undefined");
}

int verb_net_start(vport_cli *cli, const cli_args *a) {
        return net_simple(cli, a, vport_net_start, "active", true, "started");
}

/* "  UUID  owner NAME (UUID), was STATE" for each port torn down. */
static void print_torn_down(json_object *ports) {
        size_t n = ports ? json_object_array_length(ports) : 0;

        if (n > 0)
                printf("Ports torn down:\n");
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(ports, i), *owner = NULL;
                json_object_object_get_ex(p, "owner", &owner);
                printf("  %s  owner %s (%s), was %s\n", cli_esc(get_str(p, "uuid", "")),
                       cli_esc(get_str(owner, "name", "")), cli_esc(get_str(owner, "uuid", "")),
                       cli_esc(get_str(p, "state", "")));
        }
}

int verb_net_destroy(vport_cli *cli, const cli_args *a) {
        const char *name = a->pos[0];
        json_object *ports = NULL, *o;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_net_destroy_ex(ctx, name, a->force ? VPORT_NET_DESTROY_FORCE : 0, &ports,
                                         &cli->err);
        /* also when it failed half-way: which ports are gone already */
        if (cli->json && (r >= 0 || ports)) {
                o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                json_object_object_add(o, "destroyed", json_object_new_boolean(r >= 0));
                json_object_object_add(o, "ports", ports ? ports : json_object_new_array());
                cli_print_json(cli, o);
                ports = NULL;
        } else if (!cli->json) {
                if (r >= 0)
                        printf("Network %s destroyed\n", cli_esc(name));
                print_torn_down(ports);
        }
        json_object_put(ports);
        return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

int verb_net_autostart(vport_cli *cli, const cli_args *a) {
        const char *name = a->pos[0];
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_net_set_autostart(ctx, name, !a->disable, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return print_net(cli, name, "autostart", !a->disable);
        printf("Network %s %s\n", cli_esc(name),
               a->disable ? "unmarked as autostarted" : "marked as autostarted");
        return 0;
}

static void print_net_table(vport_network **nets, size_t n) {
        printf(" %-20s %-9s %-10s %-12s %s\n", "Name", "State", "Autostart", "Forward", "Ports");
        for (size_t i = 0; i < n; i++)
                printf(" %-20s %-9s %-10s %-12s %u\n", cli_esc(vport_network_get_name(nets[i])),
                       vport_network_get_active(nets[i]) ? "active" : "inactive",
                       vport_network_get_autostart(nets[i]) ? "yes" : "no",
                       cli_esc(vport_network_get_forward(nets[i])), vport_network_get_ports(nets[i]));
}

int verb_net_list(vport_cli *cli, const cli_args *a) {
        vport_network **nets = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_network_list(ctx, &nets, &n, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *list = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(list, vport_network_to_json(nets[i]));
                cli_print_json(cli, list);
        } else
                print_net_table(nets, n);
        vport_network_array_free(nets, n);
        return 0;
}

int verb_net_dumpxml(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL;
        const char *name = a->pos[0];
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_dumpxml(ctx, name, &xml, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                json_object_object_add(o, "xml", json_object_new_string(xml));
                return cli_print_json(cli, o);
        }
        fputs(xml, stdout);
        return 0;
}

static void print_net_info(const vport_network *net) {
        char uuid[VPORT_UUID_STRLEN], bdf[VPORT_PCI_STRLEN];
        int n_dev = vport_network_get_n_devices(net);

        printf("%-12s %s\n", "name", cli_esc(vport_network_get_name(net)));
        printf("%-12s %s\n", "uuid", vport_uuid_format(vport_network_get_uuid(net), uuid));
        printf("%-12s %s\n", "active", vport_network_get_active(net) ? "true" : "false");
        printf("%-12s %s\n", "autostart", vport_network_get_autostart(net) ? "true" : "false");
        printf("%-12s %s\n", "forward", cli_esc(vport_network_get_forward(net)));
        printf("%-12s %s\n", "plug", cli_esc(vport_network_get_plug_type(net)));
        printf("%-12s %u\n", "ports", vport_network_get_ports(net));
        if (vport_network_get_bridge(net))
                printf("%-12s %s\n", "bridge", cli_esc(vport_network_get_bridge(net)));
        if (n_dev < 0)
                return;
        printf("\n %-16s %-16s %-14s %s\n", "Device", "Netdev", "PCI", "Connections");
        for (size_t i = 0; i < (size_t) n_dev; i++)
                printf(" %-16s %-16s %-14s %u\n", cli_esc(vport_network_device_key(net, i)),
                       cli_esc(vport_network_device_netdev(net, i)),
                       cli_esc(vport_network_device_pci(net, i, bdf)),
                       vport_network_device_connections(net, i));
}

int verb_net_info(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_network_freep) vport_network *net = NULL;
        const char *name = a->pos[0];
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_network_get(ctx, name, &net, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, vport_network_to_json(net));
        print_net_info(net);
        return 0;
}
