/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vportd's part in 802.1Qbg re-association, as a test driver over the
 * public API (so the association names this process's netlink socket):
 *  1. make a port on NETWORK with MAC and the VSI instance INSTANCE:
 *     prints "associated PORT";
 *  2. wait until lldpad tells this socket that a VSI ended (the test makes
 *     the real bridge de-associate it): prints "event";
 *  3. wait for GO-FILE (the test lets the bridge accept it again), then
 *     vport_vsi_events_process(): prints "reassociate PORT ok|message";
 *  4. wait for GO-FILE.done (the test looks at both lldpads), delete.
 *   vsi-events NETWORK MAC INSTANCE UPLINK GO-FILE TIMEOUT-S
 * (state directory and lldpad's pid file from the environment; UPLINK is
 * only checked to exist) */
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vport/vport.h"

static void on_event(const vport_uuid *port, int result, const char *message, void *userdata) {
        char u[VPORT_UUID_STRLEN];

        printf("reassociate %s %s\n", vport_uuid_format(port, u), result < 0 ? message : "ok");
        *(int *) userdata += result >= 0;
}

static int wait_file(const char *path, int timeout_s) {
        for (int i = 0; i < timeout_s * 20; i++) {
                if (access(path, F_OK) == 0)
                        return 0;
                usleep(50 * 1000);
        }
        return -1;
}

int main(int argc, char **argv) {
        vport_port_request req = { .vlan = -1 };
        vport_error err = { 0 };
        vport_ctx *ctx = NULL;
        vport_port *port = NULL;
        vport_uuid instance;
        vport_mac mac;
        char u[VPORT_UUID_STRLEN], xml[512], done[4096];
        int fd, ok = 0, r, timeout;

        if (argc != 7 || vport_mac_parse(argv[2], &mac) < 0 || vport_uuid_parse(argv[3], &instance) < 0 ||
            !if_nametoindex(argv[4]))
                return 2;
        timeout = atoi(argv[6]);
        if (vport_ctx_open(NULL, &ctx, &err) < 0 || (fd = vport_vsi_event_fd(ctx, &err)) < 0) {
                fprintf(stderr, "vsi-events: %s\n", err.message);
                return 1;
        }
        snprintf(xml, sizeof(xml),
                 "<networkport><uuid>6d0c1f5e-0000-4000-8000-0000000000aa</uuid><owner><name>vm-events</"
                 "name><uuid>6d0c1f5e-0000-4000-8000-000000000001</uuid>"
                 "</owner><mac address='%s'/>"
                 "<virtualport><parameters instanceid='%s'/></virtualport></networkport>",
                 argv[2], argv[3]);
        req.network = argv[1];
        req.xml = xml;
        req.flags = VPORT_PORT_PREPARE;
        if (vport_port_create(ctx, &req, &port, &err) < 0) {
                fprintf(stderr, "vsi-events: port-create: %s\n", err.message);
                return 1;
        }
        printf("associated %s\n", vport_uuid_format(vport_port_get_uuid(port), u));
        fflush(stdout);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, timeout * 1000) <= 0)
                return 1;
        printf("event\n");
        fflush(stdout);
        if (wait_file(argv[5], timeout) < 0)
                return 1;
        r = vport_vsi_events_process(ctx, on_event, &ok, &err);
        printf("processed %d\n", r);
        fflush(stdout);
        snprintf(done, sizeof(done), "%s.done", argv[5]);
        if (wait_file(done, timeout) < 0)
                return 1;
        r = vport_port_delete(ctx, vport_port_get_uuid(port), &err);
        vport_port_free(port);
        vport_ctx_close(ctx);
        return ok == 1 && r >= 0 ? 0 : 1;
}
