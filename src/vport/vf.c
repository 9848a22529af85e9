/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vf-* verbs. */
#include "cli.h"
#include "core/sriov.h"

static const char *tri(int v) {
        return v < 0 ? "-" : v ? "true" : "false";
}

static void print_vf_row(const vport_vf *vf) {
        char bdf[VPORT_PCI_STRLEN], mac[VPORT_MAC_STRLEN], vlan[8], port[VPORT_UUID_STRLEN];
        const vport_mac *m = vport_vf_get_mac(vf);
        const vport_uuid *p = vport_vf_get_port(vf);

        snprintf(vlan, sizeof(vlan), "%d", vport_vf_get_vlan(vf));
        printf(" %-3d %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", vport_vf_get_index(vf),
               vport_vf_get_pci(vf, bdf), cli_esc(vport_vf_get_netdev(vf)), cli_esc(vport_vf_get_driver(vf)),
               m ? vport_mac_format(m, mac) : "-", vport_vf_get_vlan(vf) < 0 ? "-" : vlan,
               tri(vport_vf_get_spoofchk(vf)), tri(vport_vf_get_trust(vf)),
               p ? vport_uuid_format(p, port) : "-");
}

int verb_vf_list(vport_cli *cli, const cli_args *a) {
        vport_vf **vfs = NULL;
        size_t n = 0;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_ifname(cli, a->pos[0])) < 0)
                return r;
        cli_object(cli, "pf", a->pos[0]);
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_pf_list_vfs(ctx, a->pos[0], &vfs, &n, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *list = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(list, vport_vf_to_json(vfs[i]));
                cli_print_json(cli, list);
        } else {
                printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", "VF", "PCI", "Netdev", "Driver",
                       "Admin MAC", "VLAN", "Spoofchk", "Trust", "Port");
                for (size_t i = 0; i < n; i++)
                        print_vf_row(vfs[i]);
        }
        vport_vf_array_free(vfs, n);
        return 0;
}

int verb_vf_set_mac(vport_cli *cli, const cli_args *a) {
        _cleanup_(vport_vf_freep) vport_vf *vf = NULL;
        const char *mac_arg = a->pos[a->n_pos - 1];
        char bdf[VPORT_PCI_STRLEN], m[VPORT_MAC_STRLEN];
        vport_vf_mac_method method;
        vport_mac mac;
        vport_ctx *ctx;
        int r;

        cli_object(cli, "vf", a->pos[0]);
        if (vport_mac_parse(mac_arg, &mac) < 0)
                return cli_usage_error(cli, "'%s' is not a MAC address", cli_esc(mac_arg));
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_vf_set_mac_named(ctx, a->pos[0], a->n_pos == 3 ? a->pos[1] : NULL, &mac, &method, &vf,
                                        &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json) {
                json_object *o = vport_vf_to_json(vf);
                json_object_object_add(o, "method",
                                       json_object_new_string(vport_vf_mac_method_to_string(method)));
                return cli_print_json(cli, o);
        }
        printf("VF %d of %s (%s) has MAC %s (%s)\n", vport_vf_get_index(vf), cli_esc(vport_vf_get_pf(vf)),
               vport_vf_get_pci(vf, bdf), vport_mac_format(&mac, m), vport_vf_mac_method_to_string(method));
        return 0;
}
