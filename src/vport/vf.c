/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vf-* verbs. */
#include "cli.h"
#include "core/sriov.h"

int verb_vf_list(vport_cli *cli, int argc, char **argv) {
        json_object *list;
        vport_ctx *ctx;
        int r;

        if (argc != 2)
                return cli_usage_error(argv[0], "expected the PF's interface name");
        if ((r = cli_ctx(cli, &ctx)) < 0 || (r = vport_vf_list(ctx, argv[1], &list, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        if (cli->json)
                return cli_print_json(list);
        printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", "VF", "PCI", "Netdev", "Driver",
               "Admin MAC", "VLAN", "Spoofchk", "Trust", "Port");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *vf = json_object_array_get_idx(list, i);
#define F(k)                                                                                              \
        ({                                                                                                \
                json_object *_v = NULL;                                                                   \
                cli_esc(json_object_object_get_ex(vf, k, &_v) && _v ? json_object_get_string(_v) : NULL); \
        })
                printf(" %-3s %-13s %-15s %-10s %-17s %-5s %-8s %-5s %s\n", F("vf"), F("pci"), F("netdev"),
                       F("driver"), F("mac"), F("vlan"), F("spoofchk"), F("trust"), F("port"));
#undef F
        }
        json_object_put(list);
        return 0;
}

int verb_vf_set_mac(vport_cli *cli, int argc, char **argv) {
        vport_vf_mac_method method;
        vport_vf_ref vf;
        vport_mac mac;
        vport_ctx *ctx;
        char bdf[VPORT_PCI_STRLEN], m[VPORT_MAC_STRLEN];
        int r;

        if (argc != 3 && argc != 4)
                return cli_usage_error(argv[0], "expected {PCI | IFNAME | PF VFNUM} MAC");
        if (mac_parse(argv[argc - 1], &mac) < 0)
                return cli_usage_error(argv[0], "'%s' is not a MAC address", argv[argc - 1]);
        if ((r = cli_ctx(cli, &ctx)) < 0 ||
            (r = vport_vf_resolve(ctx, argv[1], argc == 4 ? argv[2] : NULL, &vf, &cli->err)) < 0 ||
            (r = vport_vf_check_unowned(ctx, &vf, &cli->err)) < 0 ||
            (r = vport_vf_set_mac(ctx, &vf, &mac, &method, &cli->err)) < 0)
                return cli_fail(cli, r, argv[0]);
        pci_addr_format(&vf.vf, bdf);
        mac_format(&mac, m);
        if (cli->json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "pci", json_object_new_string(bdf));
                json_object_object_add(o, "pf", json_object_new_string(vf.pf_ifname));
                json_object_object_add(o, "vf", json_object_new_int(vf.index));
                json_object_object_add(o, "mac", json_object_new_string(m));
                json_object_object_add(o, "method", json_object_new_string(vf_mac_method_to_string(method)));
                return cli_print_json(o);
        }
        printf("VF %d of %s (%s) has MAC %s (%s)\n", vf.index, vf.pf_ifname, bdf, m,
               vf_mac_method_to_string(method));
        return 0;
}
