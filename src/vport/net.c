/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-* verbs. Each gets its result as the JSON --json prints (from the
 * library's builder, or from vportd with --connect) and prints text from
 * that, so both paths print alike. */
#include "cli.h"

/* {"name": NAME} plus one boolean, the shape of every net-* verb that changes state. */
static json_object *net_json(const char *name, const char *key, bool value) {
        return vport_name_result_json("name", name, key, value);
}

/* --connect: {name: NAME} plus more parameters. */
static json_object *name_params(const char *name) {
        json_object *p = json_object_new_object();

        json_object_object_add(p, "name", json_object_new_string(name));
        return p;
}

static int call_net(vport_cli *cli, const char *method, json_object *params, json_object **ret) {
        json_object *reply = NULL;
        int r = cli_call(cli, method, params, &reply);

        if (r < 0) {
                json_object_put(reply);
                return r;
        }
        *ret = cli_take(reply, "network");
        return 0;
}

int verb_net_define(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL, *name = NULL;
        const char *path = a->pos[0];
        json_object *o = NULL, *p;
        vport_ctx *ctx;
        int r;

        if ((r = cli_read_file(cli, path, &xml)) < 0)
                return r;
        cli_object(cli, "file", path);
        if (cli->connect) {
                p = json_object_new_object();
                json_object_object_add(p, "xml", json_object_new_string(xml));
                r = call_net(cli, "io.vport.NetworkDefine", p, &o);
        } else if ((r = cli_ctx(cli, &ctx)) >= 0 && (r = vport_net_define(ctx, xml, &name, &cli->err)) >= 0)
                o = net_json(name, NULL, false);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        printf("Network %s defined from %s\n", cli_esc(cli_jstr(o, "name")), cli_esc(path));
        json_object_put(o);
        return 0;
}

/* The verbs that take a network name and print one line. */
typedef int (*net_fn)(vport_ctx *ctx, const char *name, vport_error *err);

static int net_simple(vport_cli *cli, const cli_args *a, net_fn fn, const char *method, const char *key,
                      bool value, const char *done) {
        const char *name = a->pos[0];
        vport_ctx *ctx;
        json_object *o = NULL;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if (cli->connect)
                r = call_net(cli, method, name_params(name), &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0 && (r = fn(ctx, name, &cli->err)) >= 0)
                o = net_json(name, key, value);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        json_object_put(o);
        printf("Network %s %s\n", cli_esc(name), done);
        return 0;
}

int verb_net_undefine(vport_cli *cli, const cli_args *a) {
        return net_simple(cli, a, vport_net_undefine, "io.vport.NetworkUndefine", "defined", false,
                          "has been undefined");
}

int verb_net_start(vport_cli *cli, const cli_args *a) {
        return net_simple(cli, a, vport_net_start, "io.vport.NetworkStart", "active", true, "started");
}

/* "  UUID  owner NAME (UUID), was STATE" for each port torn down. */
static void print_torn_down(json_object *ports) {
        size_t n = ports ? json_object_array_length(ports) : 0;

        if (n > 0)
                printf("Ports torn down:\n");
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(ports, i), *owner = cli_jget(p, "owner");
                printf("  %s  owner %s (%s), was %s\n", cli_esc(cli_jstr(p, "uuid")),
                       cli_esc(cli_jstr(owner, "name")), cli_esc(cli_jstr(owner, "uuid")),
                       cli_esc(cli_jstr(p, "state")));
        }
}

/* {name, destroyed, ports}, also when it failed half-way (which ports are gone already). */
static int net_destroy_run(vport_cli *cli, const char *name, bool force, json_object **ret) {
        json_object *reply = NULL, *p;
        vport_port **torn = NULL;
        vport_ctx *ctx;
        size_t n = 0;
        int r;

        if (cli->connect) {
                p = name_params(name);
                json_object_object_add(p, "force", json_object_new_boolean(force));
                r = cli_call(cli, "io.vport.NetworkDestroy", p, &reply);
                *ret = cli_take(reply, r < 0 ? "result" : "network");
                return r;
        }
        if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_net_destroy_ex(ctx, name, force ? VPORT_NET_DESTROY_FORCE : 0, &torn, &n,
                                         &cli->err);
        if (r < 0 && !torn)
                return r;
        *ret = vport_net_destroy_result_json(name, r >= 0, torn, n);
        vport_port_array_free(torn, n);
        return r;
}

int verb_net_destroy(vport_cli *cli, const cli_args *a) {
        const char *name = a->pos[0];
        json_object *o = NULL;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        r = net_destroy_run(cli, name, a->force, &o);
        if (cli->json && o) {
                cli_print_json(cli, o);
                o = NULL;
        } else if (!cli->json) {
                if (r >= 0)
                        printf("Network %s destroyed\n", cli_esc(name));
                print_torn_down(cli_jget(o, "ports"));
        }
        json_object_put(o);
        return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

int verb_net_autostart(vport_cli *cli, const cli_args *a) {
        const char *name = a->pos[0];
        json_object *o = NULL, *p;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if (cli->connect) {
                p = name_params(name);
                json_object_object_add(p, "autostart", json_object_new_boolean(!a->disable));
                r = call_net(cli, "io.vport.NetworkSetAutostart", p, &o);
        } else if ((r = cli_ctx(cli, &ctx)) >= 0 &&
                   (r = vport_net_set_autostart(ctx, name, !a->disable, &cli->err)) >= 0)
                o = net_json(name, "autostart", !a->disable);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        json_object_put(o);
        printf("Network %s %s\n", cli_esc(name),
               a->disable ? "unmarked as autostarted" : "marked as autostarted");
        return 0;
}

static void print_net_table(json_object *nets) {
        printf(" %-20s %-9s %-10s %-12s %s\n", "Name", "State", "Autostart", "Forward", "Ports");
        for (size_t i = 0; i < json_object_array_length(nets); i++) {
                json_object *n = json_object_array_get_idx(nets, i);
                printf(" %-20s %-9s %-10s %-12s %u\n", cli_esc(cli_jstr(n, "name")),
                       cli_jbool(n, "active") ? "active" : "inactive",
                       cli_jbool(n, "autostart") ? "yes" : "no", cli_esc(cli_jstr_null(n, "forward")),
                       (unsigned) cli_jint(n, "ports", 0));
        }
}

static int net_list_run(vport_cli *cli, json_object **ret) {
        vport_network **nets = NULL;
        json_object *reply = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if (cli->connect) {
                r = cli_call(cli, "io.vport.NetworkList", json_object_new_object(), &reply);
                *ret = cli_take(reply, "networks");
                return r;
        }
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_network_list(ctx, &nets, &n, &cli->err)) < 0)
                return r;
        *ret = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(*ret, vport_network_to_json(nets[i]));
        vport_network_array_free(nets, n);
        return 0;
}

int verb_net_list(vport_cli *cli, const cli_args *a) {
        json_object *list = NULL;
        int r;

        if ((r = net_list_run(cli, &list)) < 0 || !list) {
                json_object_put(list);
                return cli_fail(cli, r < 0 ? r : -EPROTO, NULL);
        }
        if (cli->json)
                return cli_print_json(cli, list);
        print_net_table(list);
        json_object_put(list);
        return 0;
}

int verb_net_dumpxml(vport_cli *cli, const cli_args *a) {
        _cleanup_free_ char *xml = NULL;
        const char *name = a->pos[0];
        json_object *o = NULL;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if (cli->connect)
                r = cli_call(cli, "io.vport.NetworkGetXML", name_params(name), &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0 && (r = vport_net_dumpxml(ctx, name, &xml, &cli->err)) >= 0) {
                o = vport_xml_result_json("name", name, xml);
        }
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        fputs(cli_jstr(o, "xml"), stdout);
        json_object_put(o);
        return 0;
}

static void print_net_info(json_object *net) {
        json_object *devs = cli_jget(net, "devices");

        printf("%-12s %s\n", "name", cli_esc(cli_jstr(net, "name")));
        printf("%-12s %s\n", "uuid", cli_jstr(net, "uuid"));
        printf("%-12s %s\n", "active", cli_jbool(net, "active") ? "true" : "false");
        printf("%-12s %s\n", "autostart", cli_jbool(net, "autostart") ? "true" : "false");
        printf("%-12s %s\n", "forward", cli_esc(cli_jstr_null(net, "forward")));
        printf("%-12s %s\n", "plug", cli_esc(cli_jstr_null(net, "plug")));
        printf("%-12s %u\n", "ports", (unsigned) cli_jint(net, "ports", 0));
        if (cli_jstr_null(net, "bridge"))
                printf("%-12s %s\n", "bridge", cli_esc(cli_jstr(net, "bridge")));
        if (!devs)
                return;
        printf("\n %-16s %-16s %-14s %s\n", "Device", "Netdev", "PCI", "Connections");
        for (size_t i = 0; i < json_object_array_length(devs); i++) {
                json_object *d = json_object_array_get_idx(devs, i);
                printf(" %-16s %-16s %-14s %u\n", cli_esc(cli_jstr_null(d, "device")),
                       cli_esc(cli_jstr_null(d, "netdev")), cli_esc(cli_jstr_null(d, "pci")),
                       (unsigned) cli_jint(d, "connections", 0));
        }
}

int verb_net_info(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_network_freep) vport_network *net = NULL;
        const char *name = a->pos[0];
        json_object *o = NULL;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_netname(cli, name)) < 0)
                return r;
        if (cli->connect)
                r = call_net(cli, "io.vport.NetworkGet", name_params(name), &o);
        else if ((r = cli_ctx(cli, &ctx)) >= 0 && (r = vport_network_get(ctx, name, &net, &cli->err)) >= 0)
                o = vport_network_to_json(net);
        if (r < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, o);
        print_net_info(o);
        json_object_put(o);
        return 0;
}
