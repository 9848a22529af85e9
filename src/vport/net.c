/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-* verbs. */
#include "cli.h"

static const char *get_str(json_object *o, const char *key, const char *def) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : def;
}

static bool get_bool(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int get_int(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) ? json_object_get_int(v) : 0;
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

static void print_net_table(json_object *list) {
        printf(" %-20s %-9s %-10s %-12s %s\n", "Name", "State", "Autostart", "Forward", "Ports");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *n = json_object_array_get_idx(list, i);
                printf(" %-20s %-9s %-10s %-12s %d\n", cli_esc(get_str(n, "name", "")),
                       get_bool(n, "active") ? "active" : "inactive",
                       get_bool(n, "autostart") ? "yes" : "no", cli_esc(get_str(n, "forward", "")),
                       get_int(n, "ports"));
        }
}

int verb_net_list(vport_cli *cli, const cli_args *a) {
        json_object *list = NULL;
        vport_ctx *ctx;
        int r;

        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_list(ctx, &list, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, list);
        print_net_table(list);
        json_object_put(list);
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

static void print_net_info(json_object *info) {
        json_object *devs;

        json_object_object_foreach(info, key, val) {
                if (!streq(key, "devices"))
                        printf("%-12s %s\n", key, cli_esc(json_object_get_string(val)));
        }
        if (!json_object_object_get_ex(info, "devices", &devs))
                return;
        printf("\n %-16s %-16s %-14s %s\n", "Device", "Netdev", "PCI", "Connections");
        for (size_t i = 0; i < json_object_array_length(devs); i++) {
                json_object *d = json_object_array_get_idx(devs, i);
                printf(" %-16s %-16s %-14s %d\n", cli_esc(get_str(d, "device", "")),
                       cli_esc(get_str(d, "netdev", "-")), cli_esc(get_str(d, "pci", "-")),
                       get_int(d, "connections"));
        }
}

int verb_net_info(vport_cli *cli, const cli_args *a) {
        const char *name = a->pos[0];
        json_object *info;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_info(ctx, name, &info, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, info);
        print_net_info(info);
        json_object_put(info);
        return 0;
}
