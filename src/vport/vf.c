/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vf-* verbs (text printed from the JSON, as the other verbs). */
#include "cli.h"
#include "core/sriov.h"

static const char *tri(json_object *vf, const char *key) {
        json_object *v = cli_jget(vf, key);

        return !v ? "-" : json_object_get_boolean(v) ? "true" : "false";
}

static void print_vf_row(json_object *vf) {
        char vlan[24];
        int64_t tag = cli_jint(vf, "vlan", -1);

        snprintf(vlan, sizeof(vlan), "%lld", (long long) tag);
        printf(" %-3d %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", (int) cli_jint(vf, "vf", -1),
               cli_jstr(vf, "pci"), cli_esc(cli_jstr_null(vf, "netdev")),
               cli_esc(cli_jstr_null(vf, "driver")), cli_jstr_null(vf, "mac") ? cli_jstr(vf, "mac") : "-",
               tag < 0 ? "-" : vlan, tri(vf, "spoofchk"), tri(vf, "trust"),
               cli_jstr_null(vf, "port") ? cli_jstr(vf, "port") : "-");
}

static int vf_list_run(vport_cli *cli, const char *pf, json_object **ret) {
        vport_vf **vfs = NULL;
        json_object *p, *reply = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if (cli->connect) {
                p = json_object_new_object();
                json_object_object_add(p, "pf", json_object_new_string(pf));
                r = cli_call(cli, "io.vport.VFList", p, &reply);
                *ret = cli_take(reply, "vfs");
                return r;
        }
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_pf_list_vfs(ctx, pf, &vfs, &n, &cli->err)) < 0)
                return r;
        *ret = vport_vfs_to_json(vfs, n);
        vport_vf_array_free(vfs, n);
        return 0;
}

int verb_vf_list(vport_cli *cli, const cli_args *a) {
        json_object *list = NULL;
        int r;

        if ((r = cli_check_ifname(cli, a->pos[0])) < 0)
                return r;
        cli_object(cli, "pf", a->pos[0]);
        if ((r = vf_list_run(cli, a->pos[0], &list)) < 0 || !list)
                return cli_fail(cli, r < 0 ? r : -EPROTO, NULL);
        if (cli->json)
                return cli_print_json(cli, list);
        printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", "VF", "PCI", "Netdev", "Driver",
               "Admin MAC", "VLAN", "Spoofchk", "Trust", "Port");
        for (size_t i = 0; i < json_object_array_length(list); i++)
                print_vf_row(json_object_array_get_idx(list, i));
        json_object_put(list);
        return 0;
}

/* The VF afterwards with "method", from the library or vportd. */
static int vf_set_mac_run(vport_cli *cli, const cli_args *a, const vport_mac *mac, json_object **ret) {
        _cleanup_(vport_vf_freep) vport_vf *vf = NULL;
        vport_vf_mac_method method;
        json_object *p, *reply = NULL;
        vport_ctx *ctx;
        int r;

        if (cli->connect) {
                p = json_object_new_object();
                json_object_object_add(p, "vf", json_object_new_string(a->pos[0]));
                if (a->n_pos == 3)
                        json_object_object_add(p, "index", json_object_new_string(a->pos[1]));
                json_object_object_add(p, "mac", json_object_new_string(a->pos[a->n_pos - 1]));
                r = cli_call(cli, "io.vport.VFSetMAC", p, &reply);
                *ret = cli_take(reply, "vf");
                return r;
        }
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_vf_set_mac_named(ctx, a->pos[0], a->n_pos == 3 ? a->pos[1] : NULL, mac, &method, &vf,
                                        &cli->err)) < 0)
                return r;
        *ret = vport_vf_to_json(vf);
        json_object_object_add(*ret, "method",
                               json_object_new_string(vport_vf_mac_method_to_string(method)));
        return 0;
}

int verb_vf_set_mac(vport_cli *cli, const cli_args *a) {
        const char *mac_arg = a->pos[a->n_pos - 1];
        char m[VPORT_MAC_STRLEN];
        json_object *o = NULL;
        vport_mac mac;
        int r;

        cli_object(cli, "vf", a->pos[0]);
        if (vport_mac_parse(mac_arg, &mac) < 0)
                return cli_usage_error(cli, "'%s' is not a MAC address", cli_esc(mac_arg));
        if ((r = vf_set_mac_run(cli, a, &mac, &o)) < 0 || !o) {
                json_object_put(o);
                return cli_fail(cli, r < 0 ? r : -EPROTO, NULL);
        }
        if (cli->json)
                return cli_print_json(cli, o);
        printf("VF %d of %s (%s) has MAC %s (%s)\n", (int) cli_jint(o, "vf", -1), cli_esc(cli_jstr(o, "pf")),
               cli_jstr(o, "pci"), vport_mac_format(&mac, m), cli_jstr(o, "method"));
        json_object_put(o);
        return 0;
}
