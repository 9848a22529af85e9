/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vportd's part in 802.1Qbg re-association, as a test driver over the
 * public API (so the association names this process's netlink socket):
 *  1. make a port on NETWORK with MAC and the VSI instance INSTANCE:
 *     prints "associated PORT";
 *  2. wait for GO-FILE: meanwhile the test makes the real station lldpad
 *     lose the VSI (the bridge stops answering its keep-alives);
 *  3. tell us what lldpad tells a requester when the switch ends a VSI:
 *     an RTM_SETLINK with the VSI and request DISASSOCIATE, built as
 *     lldpad's vdpnl_send() builds it. Debian's lldpad sends it only when
 *     the bridge answers with a de-associate or a hard error, which its
 *     bridge role never does outside debug builds, so the test plays that
 *     one message; everything else is the real lldpad;
 *  4. vport_vsi_events_process(): prints "reassociate PORT ok|message";
 *  5. wait for GO-FILE.done, delete the port.
 *   vsi-events NETWORK MAC INSTANCE UPLINK GO-FILE TIMEOUT-S
 * (state directory and lldpad's pid file from the environment) */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* lldpad's unsolicited message (qbg/vdpnl.c vdpnl_send), to our socket. */
static int play_lldpad(int fd, const vport_mac *mac, const vport_uuid *instance, const char *uplink) {
        struct ifinfomsg ifi = { .ifi_index = (int) if_nametoindex(uplink) };
        struct ifla_vf_mac m = { .vf = (uint32_t) -1 };
        struct ifla_vf_vlan v = { .vf = (uint32_t) -1 };
        struct ifla_port_vsi t = { .vsi_mgr_id = 11,
                                   .vsi_type_id = { 0x57, 0x34, 0x12 },
                                   .vsi_type_version = 2 };
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        socklen_t len = sizeof(to);
        struct nl_msg *msg = nlmsg_alloc();
        struct nlattr *a, *b;
        int s, r;

        if (!msg || getsockname(fd, (struct sockaddr *) &to, &len) < 0)
                return -1;
        memcpy(m.mac, mac->addr, 6);
        nlmsg_put(msg, (uint32_t) getpid(), 1, RTM_SETLINK, 0, 0);
        nlmsg_append(msg, &ifi, sizeof(ifi), 0);
        nla_put_string(msg, IFLA_IFNAME, uplink);
        a = nla_nest_start(msg, IFLA_VFINFO_LIST);
        b = nla_nest_start(msg, IFLA_VF_INFO);
        nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
        nla_put(msg, IFLA_VF_VLAN, sizeof(v), &v);
        nla_nest_end(msg, b);
        nla_nest_end(msg, a);
        a = nla_nest_start(msg, IFLA_VF_PORTS);
        b = nla_nest_start(msg, IFLA_VF_PORT);
        nla_put(msg, IFLA_PORT_VSI_TYPE, sizeof(t), &t);
        nla_put(msg, IFLA_PORT_INSTANCE_UUID, 16, instance->bytes);
        nla_put_u32(msg, IFLA_PORT_VF, (uint32_t) -1);
        nla_put_u16(msg, IFLA_PORT_REQUEST, PORT_REQUEST_DISASSOCIATE);
        nla_nest_end(msg, b);
        nla_nest_end(msg, a);
        s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        r = s < 0 ? -1
                  : (int) sendto(s, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, 0, (struct sockaddr *) &to,
                                 sizeof(to));
        if (s >= 0)
                close(s);
        nlmsg_free(msg);
        return r < 0 ? -1 : 0;
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

        if (argc != 7 || vport_mac_parse(argv[2], &mac) < 0 || vport_uuid_parse(argv[3], &instance) < 0)
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
        if (wait_file(argv[5], timeout) < 0 || play_lldpad(fd, &mac, &instance, argv[4]) < 0)
                return 1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, timeout * 1000) <= 0)
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
