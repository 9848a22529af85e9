/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vf-* verbs. */
#include "cli.h"
#include "core/sriov.h"

static const char *vf_field(json_object *vf, const char *key) {
        json_object *v = NULL;

        return cli_esc(json_object_object_get_ex(vf, key, &v) && v ? json_object_get_string(v) : NULL);
}

static void print_vf_table(json_object *list) {
        printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", "VF", "PCI", "Netdev", "Driver",
               "Admin MAC", "VLAN", "Spoofchk", "Trust", "Port");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *vf = json_object_array_get_idx(list, i);
                printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", vf_field(vf, "vf"),
                       vf_field(vf, "pci"), vf_field(vf, "netdev"), vf_field(vf, "driver"),
                       vf_field(vf, "mac"), vf_field(vf, "vlan"), vf_field(vf, "spoofchk"),
                       vf_field(vf, "trust"), vf_field(vf, "port"));
        }
}

int verb_vf_list(vport_cli *cli, const cli_args *a) {
        json_object *list;
        vport_ctx *ctx;
        int r;

        if ((r = cli_check_ifname(cli, a->pos[0])) < 0)
                return r;
        cli_object(cli, "pf", a->pos[0]);
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_vf_list(ctx, a->pos[0], &list, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        if (cli->json)
                return cli_print_json(cli, list);
        print_vf_table(list);
        json_object_put(list);
        return 0;
}

static int print_vf_mac(vport_cli *cli, const vport_vf_ref *vf, const vport_mac *mac,
                        vport_vf_mac_method method) {
        char bdf[VPORT_PCI_STRLEN], m[VPORT_MAC_STRLEN];

        pci_addr_format(&vf->vf, bdf);
        mac_format(mac, m);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "pci", json_object_new_string(bdf));
                json_object_object_add(o, "pf", json_object_new_string(vf->pf_ifname));
                json_object_object_add(o, "vf", json_object_new_int(vf->index));
                json_object_object_add(o, "mac", json_object_new_string(m));
                json_object_object_add(o, "method", json_object_new_string(vf_mac_method_to_string(method)));
                return cli_print_json(cli, o);
        }
        printf("VF %d of %s (%s) has MAC %s (%s)\n", vf->index, cli_esc(vf->pf_ifname), bdf, m,
               vf_mac_method_to_string(method));
        return 0;
}

int verb_vf_set_mac(vport_cli *cli, const cli_args *a) {
        const char *mac_arg = a->pos[a->n_pos - 1];
        vport_vf_mac_method method;
        vport_vf_ref vf;
        vport_mac mac;
        vport_ctx *ctx;
        int r;

        cli_object(cli, "vf", a->pos[0]);
        if (mac_parse(mac_arg, &mac) < 0)
                return cli_usage_error(cli, "'%s' is not a MAC address", mac_arg);
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_vf_resolve(ctx, a->pos[0], a->n_pos == 3 ? a->pos[1] : NULL, &vf, &cli->err)) < 0 ||
            (r = vport_vf_check_unowned(ctx, &vf, &cli->err)) < 0 ||
            (r = vport_vf_set_mac(ctx, &vf, &mac, &method, &cli->err)) < 0)
                return cli_fail(cli, r, NULL);
        return print_vf_mac(cli, &vf, &mac, method);
}
