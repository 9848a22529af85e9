/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-* verbs. */
#include <getopt.h>

#include "cli.h"

/* The one positional argument of a verb that takes nothing else. */
static int one_arg(int argc, char **argv, const char **ret) {
        *ret = NULL;
        if (argc != 2)
                return cli_usage_error(argv[0], "expected exactly one argument");
        *ret = argv[1];
        return 0;
}

int verb_net_define(vport_cli *cli, int argc, char **argv) {
        _cleanup_free_ char *xml = NULL, *name = NULL;
        const char *path;
        vport_ctx *ctx;
        int r;

        if ((r = one_arg(argc, argv, &path)) < 0)
                return r;
        if ((r = cli_read_file(path, &xml, &cli->err)) < 0)
                return cli_fail(cli, r, "net-define");
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_define(ctx, xml, &name, &cli->err)) < 0)
                return cli_fail(cli, r, "net-define");
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                return cli_print_json(o);
        }
        printf("Network %s defined from %s\n", name, path);
        return 0;
}

/* The verbs that take a network name and print one line. */
typedef int (*net_fn)(vport_ctx *ctx, const char *name, vport_error *err);

static int net_simple(vport_cli *cli, int argc, char **argv, net_fn fn, const char *done) {
        const char *name;
        vport_ctx *ctx;
        int r;

        if ((r = one_arg(argc, argv, &name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = fn(ctx, name, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                return cli_print_json(o);
        }
        printf("Network %s %s\n", name, done);
        return 0;
}

int verb_net_undefine(vport_cli *cli, int argc, char **argv) {
        return net_simple(cli, argc, argv, vport_net_undefine, "has been undefined");
}

int verb_net_start(vport_cli *cli, int argc, char **argv) {
        return net_simple(cli, argc, argv, vport_net_start, "started");
}

/* "  UUID  owner NAME (UUID), was STATE" for each port torn down. */
static void print_torn_down(json_object *ports) {
        size_t n = ports ? json_object_array_length(ports) : 0;

        if (n > 0)
                printf("Ports torn down:\n");
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(ports, i), *owner = NULL, *v;
                const char *f[4] = { "", "", "", "" };
                if (json_object_object_get_ex(p, "uuid", &v))
                        f[0] = json_object_get_string(v);
                if (json_object_object_get_ex(p, "owner", &owner) &&
                    json_object_object_get_ex(owner, "name", &v))
                        f[1] = json_object_get_string(v);
                if (owner && json_object_object_get_ex(owner, "uuid", &v))
                        f[2] = json_object_get_string(v);
                if (json_object_object_get_ex(p, "state", &v))
                        f[3] = json_object_get_string(v);
                printf("  %s  owner %s (%s), was %s\n", f[0], f[1], f[2], f[3]);
        }
}

int verb_net_destroy(vport_cli *cli, int argc, char **argv) {
        bool force = argc == 3 && streq(argv[2], "--force");
        json_object *ports = NULL, *o;
        vport_ctx *ctx;
        int r;

        if (argc != 2 && !force)
                return cli_usage_error(argv[0], "expected NAME [--force]");
        if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_net_destroy_ex(ctx, argv[1], force ? VPORT_NET_DESTROY_FORCE : 0, &ports,
                                         &cli->err);
        if (cli->json && (r >= 0 || ports)) {
                o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(argv[1]));
                json_object_object_add(o, "destroyed", json_object_new_boolean(r >= 0));
                json_object_object_add(o, "ports", ports ? ports : json_object_new_array());
                cli_print_json(o);
        } else {
                if (r >= 0)
                        printf("Network %s destroyed\n", argv[1]);
                print_torn_down(ports);
                json_object_put(ports);
        }
        return r < 0 ? cli_fail(cli, r, argv[0]) : 0;
}

int verb_net_autostart(vport_cli *cli, int argc, char **argv) {
        bool disable = argc == 3 && streq(argv[2], "--disable");
        vport_ctx *ctx;
        int r;

        if (argc != 2 && !disable)
                return cli_usage_error(argv[0], "expected NAME [--disable]");
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_net_set_autostart(ctx, argv[1], !disable, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (!cli->json)
                printf("Network %s %s\n", argv[1],
                       disable ? "unmarked as autostarted" : "marked as autostarted");
        return 0;
}

int verb_net_list(vport_cli *cli, int argc, char **argv) {
        json_object *list;
        vport_ctx *ctx;
        int r;

        if (argc != 1)
                return cli_usage_error(argv[0], "takes no arguments");
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_list(ctx, &list, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json)
                return cli_print_json(list);
        printf(" %-20s %-9s %-10s %-12s %s\n", "Name", "State", "Autostart", "Forward", "Ports");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *n = json_object_array_get_idx(list, i), *v;
                const char *name = "", *fwd = "";
                bool active = false, autostart = false;
                int ports = 0;
                if (json_object_object_get_ex(n, "name", &v))
                        name = json_object_get_string(v);
                if (json_object_object_get_ex(n, "forward", &v))
                        fwd = json_object_get_string(v);
                if (json_object_object_get_ex(n, "active", &v))
                        active = json_object_get_boolean(v);
                if (json_object_object_get_ex(n, "autostart", &v))
                        autostart = json_object_get_boolean(v);
                if (json_object_object_get_ex(n, "ports", &v))
                        ports = json_object_get_int(v);
                printf(" %-20s %-9s %-10s %-12s %d\n", cli_esc(name), active ? "active" : "inactive",
                       autostart ? "yes" : "no", cli_esc(fwd), ports);
        }
        json_object_put(list);
        return 0;
}

int verb_net_dumpxml(vport_cli *cli, int argc, char **argv) {
        _cleanup_free_ char *xml = NULL;
        const char *name;
        vport_ctx *ctx;
        int r;

        if ((r = one_arg(argc, argv, &name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_dumpxml(ctx, name, &xml, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                json_object_object_add(o, "xml", json_object_new_string(xml));
                return cli_print_json(o);
        }
        fputs(xml, stdout);
        return 0;
}

int verb_net_info(vport_cli *cli, int argc, char **argv) {
        json_object *info, *v, *devs;
        const char *name;
        vport_ctx *ctx;
        int r;

        if ((r = one_arg(argc, argv, &name)) < 0)
                return r;
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_net_info(ctx, name, &info, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json)
                return cli_print_json(info);
        json_object_object_foreach(info, key, val) {
                if (!streq(key, "devices"))
                        printf("%-12s %s\n", key, cli_esc(json_object_get_string(val)));
        }
        if (json_object_object_get_ex(info, "devices", &devs)) {
                printf("\n %-16s %-16s %-14s %s\n", "Device", "Netdev", "PCI", "Connections");
                for (size_t i = 0; i < json_object_array_length(devs); i++) {
                        json_object *d = json_object_array_get_idx(devs, i);
                        const char *dev = "", *netdev = "-", *pci = "-";
                        int conns = 0;
                        if (json_object_object_get_ex(d, "device", &v) && v)
                                dev = json_object_get_string(v);
                        if (json_object_object_get_ex(d, "netdev", &v) && v)
                                netdev = json_object_get_string(v);
                        if (json_object_object_get_ex(d, "pci", &v) && v)
                                pci = json_object_get_string(v);
                        if (json_object_object_get_ex(d, "connections", &v))
                                conns = json_object_get_int(v);
                        printf(" %-16s %-16s %-14s %d\n", cli_esc(dev), cli_esc(netdev), cli_esc(pci),
                               conns);
                }
        }
        json_object_put(info);
        return 0;
}
