/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VM manager's view of libvport: one bridge port through its whole life.
 *
 *   cc bridge-port.c $(pkg-config --cflags --libs libvport) -o bridge-port
 *   ./bridge-port BRIDGE        (as root; BRIDGE is an existing host bridge)
 *
 * It defines and starts a network on BRIDGE, creates a port for a guest NIC
 * and prepares it (a tap, down, on the bridge), activates it (the moment the
 * guest CPUs would start: the tap goes up), then deletes the port and removes
 * the network again. State lives under $VPORT_STATE_DIR (default
 * /var/lib/vport). */
#include <stdio.h>
#include <stdlib.h>

#include <vport/vport.h>

#define NETWORK "example-bridge"

static int fail(const char *what, int r, const vport_error *err) {
        fprintf(stderr, "bridge-port: %s: %s\n", what, vport_error_message(err, r));
        return 1;
}

static void show(const char *step, const vport_port *port) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        const char *ifname = vport_port_get_ifname(port);

        printf("%s: port %s mac %s state %s ifname %s\n", step,
               vport_uuid_format(vport_port_get_uuid(port), uuid),
               vport_mac_format(vport_port_get_mac(port), mac),
               vport_port_state_to_string(vport_port_get_state(port)), ifname ? ifname : "-");
}

/* Create and prepare the port, activate it, delete it. */
static int port_life(vport_ctx *ctx, vport_error *err) {
        vport_port_request req = { .network = NETWORK, .owner_name = "example-vm", .vlan = -1 };
        vport_port *port = NULL;
        vport_uuid uuid;
        vport_mac mac;
        int r;

        vport_mac_parse("52:54:00:00:00:01", &mac);
        req.mac = &mac;
        req.flags = VPORT_PORT_PREPARE;
        if ((r = vport_port_create(ctx, &req, &port, err)) < 0)
                return fail("create", r, err);
        show("prepared", port);
        uuid = *vport_port_get_uuid(port);
        vport_port_free(port);

        if ((r = vport_port_activate(ctx, &uuid, &port, err)) < 0)
                return fail("activate", r, err);
        show("activated", port);
        vport_port_free(port);

        if ((r = vport_port_delete(ctx, &uuid, err)) < 0)
                return fail("delete", r, err);
        printf("deleted\n");
        return 0;
}

int main(int argc, char **argv) {
        vport_error err = { 0 };
        vport_ctx *ctx = NULL;
        char xml[512];
        int r, rc;

        if (argc != 2) {
                fprintf(stderr, "usage: bridge-port BRIDGE\n");
                return 2;
        }
        snprintf(xml, sizeof(xml),
                 "<network><name>" NETWORK "</name><forward mode='bridge'/><bridge name='%s'/></network>",
                 argv[1]);
        if ((r = vport_ctx_open(NULL, &ctx, &err)) < 0)
                return fail("open", r, &err);
        if ((r = vport_net_define(ctx, xml, NULL, &err)) < 0 ||
            (r = vport_net_start(ctx, NETWORK, &err)) < 0) {
                vport_ctx_close(ctx);
                return fail("network", r, &err);
        }
        rc = port_life(ctx, &err);
        vport_net_destroy(ctx, NETWORK, NULL);
        vport_net_undefine(ctx, NETWORK, NULL);
        vport_ctx_close(ctx);
        return rc;
}
