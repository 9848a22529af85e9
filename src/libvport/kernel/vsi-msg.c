/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The messages of port profile requests (802.1Qbg VDP through lldpad,
 * 802.1Qbh through the PF driver), laid out as libvirt sends them
 * (virnetdevvportprofile.c) so lldpad and enic understand them, and the
 * parsing of the answers, every attribute checked against a policy. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <stdio.h>

#include "kernel/kernel-internal.h"

/* lldpad's status carries the VDP reason in the low 4 bits and its own
 * error bits above (qbg_vdp22.h: hard error, keep, and the state machine's
 * keep-alive / ack timeouts and transmit errors shifted by 8 in messages). */
#define VDP22_HARDBIT 0x10
#define VDP22_KEEPBIT 0x20

static const char *const vdp_response_names[] = {
        [PORT_VDP_RESPONSE_SUCCESS] = "success",
        [PORT_VDP_RESPONSE_INVALID_FORMAT] = "invalid format",
        [PORT_VDP_RESPONSE_INSUFFICIENT_RESOURCES] = "insufficient resources",
        [PORT_VDP_RESPONSE_UNUSED_VTID] = "unused VSI type id (VTID)",
        [PORT_VDP_RESPONSE_VTID_VIOLATION] = "VSI type id violation",
        [PORT_VDP_RESPONSE_VTID_VERSION_VIOALTION] = "VSI type id version violation",
        [PORT_VDP_RESPONSE_OUT_OF_SYNC] = "out of sync",
};

static const char *const profile_response_names[] = {
        [PORT_PROFILE_RESPONSE_SUCCESS - 0x100] = "success",
        [PORT_PROFILE_RESPONSE_INPROGRESS - 0x100] = "in progress",
        [PORT_PROFILE_RESPONSE_INVALID - 0x100] = "invalid",
        [PORT_PROFILE_RESPONSE_BADSTATE - 0x100] = "bad state",
        [PORT_PROFILE_RESPONSE_INSUFFICIENT_RESOURCES - 0x100] = "insufficient resources",
        [PORT_PROFILE_RESPONSE_ERROR - 0x100] = "error",
};

char *vsi_response_name(uint32_t response, char buf[static 96]) {
        uint32_t reason = response & 0x0f;

        if (response >= 0x100 && response - 0x100 < ELEMENTSOF(profile_response_names)) {
                snprintf(buf, 96, "%s (%#x)", profile_response_names[response - 0x100], response);
                return buf;
        }
        if (response >= 0x100) {
                snprintf(buf, 96, "unknown response %#x", response);
                return buf;
        }
        snprintf(buf, 96, "%s%s%s (%u)",
                 reason < ELEMENTSOF(vdp_response_names) ? vdp_response_names[reason] : "reserved reason",
                 response & VDP22_HARDBIT ? ", hard error" : "", response & VDP22_KEEPBIT ? ", keep" : "",
                 response);
        return buf;
}

static const char *const vsi_request_table[_VSI_REQUEST_MAX] = {
        [VSI_PREASSOCIATE] = "PREASSOCIATE",
        [VSI_PREASSOCIATE_RR] = "PREASSOCIATE_RR",
        [VSI_ASSOCIATE] = "ASSOCIATE",
        [VSI_DISASSOCIATE] = "DISASSOCIATE",
};

const char *vsi_request_to_string(vport_vsi_request r) {
        return r >= 0 && r < _VSI_REQUEST_MAX ? vsi_request_table[r] : "(unknown request)";
}

/* IFLA_VFINFO_LIST: the guest MAC and VLAN the VSI filters on (lldpad
 * refuses a request without a VLAN, 0 meaning untagged). */
static int vsi_put_vfinfo(struct nl_msg *msg, const vport_vsi *vsi) {
        struct nlattr *list, *info;
        uint32_t vf = (uint32_t) vsi->vf;

        if (!vsi->has_mac && vsi->vlan < 0)
                return 0;
        if (!(list = nla_nest_start(msg, IFLA_VFINFO_LIST)) || !(info = nla_nest_start(msg, IFLA_VF_INFO)))
                return -ENOMEM;
        if (vsi->has_mac) {
                struct ifla_vf_mac m = { .vf = vf };

                memcpy(m.mac, vsi->mac.addr, VPORT_MAC_LEN);
                if (nla_put(msg, IFLA_VF_MAC, sizeof(m), &m) < 0)
                        return -ENOMEM;
        }
        if (vsi->vlan >= 0) {
                struct ifla_vf_vlan v = { .vf = vf, .vlan = (uint32_t) vsi->vlan };

                if (nla_put(msg, IFLA_VF_VLAN, sizeof(v), &v) < 0)
                        return -ENOMEM;
        }
        nla_nest_end(msg, info);
        nla_nest_end(msg, list);
        return 0;
}

/* The port attributes. A disassociate names only the port (and, for
 * 802.1Qbg, the VSI: lldpad finds it by type and instance). */
static int vsi_put_port(struct nl_msg *msg, const vport_vsi *vsi, vport_vsi_request req,
                        const vport_uuid *host_uuid) {
        uint8_t op = (uint8_t) req;
        bool full = !vsi->qbh || req != VSI_DISASSOCIATE;

        if (vsi->qbh && full && vsi->profile[0] &&
            nla_put(msg, IFLA_PORT_PROFILE, (int) strlen(vsi->profile) + 1, vsi->profile) < 0)
                return -ENOMEM;
        if (!vsi->qbh) {
                struct ifla_port_vsi t = {
                        .vsi_mgr_id = vsi->manager_id,
                        .vsi_type_id = { vsi->type_id & 0xff, (vsi->type_id >> 8) & 0xff,
                                         (vsi->type_id >> 16) & 0xff },
                        .vsi_type_version = vsi->type_id_version,
                };

                if (nla_put(msg, IFLA_PORT_VSI_TYPE, sizeof(t), &t) < 0)
                        return -ENOMEM;
        }
        if (full && nla_put(msg, IFLA_PORT_INSTANCE_UUID, PORT_UUID_MAX, vsi->instance.bytes) < 0)
                return -ENOMEM;
        if (vsi->qbh && full && host_uuid &&
            nla_put(msg, IFLA_PORT_HOST_UUID, PORT_UUID_MAX, host_uuid->bytes) < 0)
                return -ENOMEM;
        if (vsi->vf >= 0 && nla_put_u32(msg, IFLA_PORT_VF, (uint32_t) vsi->vf) < 0)
                return -ENOMEM;
        return nla_put(msg, IFLA_PORT_REQUEST, sizeof(op), &op) < 0 ? -ENOMEM : 0;
}

struct nl_msg *vsi_setlink_msg(const vport_vsi *vsi, vport_vsi_request req, const vport_uuid *host_uuid) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = vsi->ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        vport_vsi v = *vsi;
        struct nlattr *ports = NULL, *port;

        if (!msg)
                return NULL;
        if (v.qbh && req == VSI_DISASSOCIATE)
                v.has_mac = false; /* libvirt: a disassociate carries no MAC */
        /* libvirt also sends the MAC for VF -1 (the device itself), which
         * today's kernels refuse (-EINVAL: a VF index >= INT_MAX) before
         * they look at the port: the device's own MAC is the driver's. */
        if (v.qbh && v.vf < 0)
                v.has_mac = false;
        if (!v.qbh && v.ifname[0] && nla_put_string(msg, IFLA_IFNAME, v.ifname) < 0)
                return NULL;
        if (vsi_put_vfinfo(msg, &v) < 0)
                return NULL;
        /* The device itself (no VF) of a driver: IFLA_PORT_SELF. lldpad
         * only reads IFLA_VF_PORTS. */
        if (v.qbh && v.vf < 0)
                port = nla_nest_start(msg, IFLA_PORT_SELF);
        else if ((ports = nla_nest_start(msg, IFLA_VF_PORTS)))
                port = nla_nest_start(msg, IFLA_VF_PORT);
        else
                port = NULL;
        if (!port || vsi_put_port(msg, &v, req, host_uuid) < 0)
                return NULL;
        nla_nest_end(msg, port);
        if (ports)
                nla_nest_end(msg, ports);
        return TAKE_PTR(msg);
}

/* minlen is what we read; a longer attribute is refused where its size is fixed. */
static struct nla_policy port_policy[IFLA_PORT_MAX + 1] = {
        [IFLA_PORT_VF] = { .type = NLA_U32 },
        [IFLA_PORT_PROFILE] = { .type = NLA_STRING, .maxlen = PORT_PROFILE_MAX },
        [IFLA_PORT_VSI_TYPE] = { .minlen = sizeof(struct ifla_port_vsi) },
        [IFLA_PORT_INSTANCE_UUID] = { .minlen = PORT_UUID_MAX, .maxlen = PORT_UUID_MAX },
        [IFLA_PORT_HOST_UUID] = { .minlen = PORT_UUID_MAX, .maxlen = PORT_UUID_MAX },
        /* u8 in requests; lldpad's unsolicited message sends a u16 */
        [IFLA_PORT_REQUEST] = { .minlen = 1, .maxlen = 2 },
        [IFLA_PORT_RESPONSE] = { .type = NLA_U16, .maxlen = 2 },
};

static struct nla_policy link_ports_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = VPORT_IFNAMSIZ },
        [IFLA_VFINFO_LIST] = { .type = NLA_NESTED },
        [IFLA_VF_PORTS] = { .type = NLA_NESTED },
        [IFLA_PORT_SELF] = { .type = NLA_NESTED },
};

static bool port_matches(struct nlattr **tb, const vport_vsi *vsi) {
        uint32_t vf = vsi->vf < 0 ? (uint32_t) PORT_SELF_VF : (uint32_t) vsi->vf;

        /* lldpad lists every VSI of the uplink, each with PORT_SELF_VF. */
        if (!tb[IFLA_PORT_VF] || nla_get_u32(tb[IFLA_PORT_VF]) != vf)
                return false;
        return !tb[IFLA_PORT_INSTANCE_UUID]
                       ? vsi->qbh
                       : !memcmp(nla_data(tb[IFLA_PORT_INSTANCE_UUID]), vsi->instance.bytes, PORT_UUID_MAX);
}

static void port_response(struct nlattr **tb, bool *ret_has, uint32_t *ret) {
        *ret_has = tb[IFLA_PORT_RESPONSE] != NULL;
        *ret = *ret_has ? nla_get_u16(tb[IFLA_PORT_RESPONSE]) : 0;
}

int vsi_status_parse(const struct nlmsghdr *h, const vport_vsi *vsi, bool *ret_has_response,
                     uint32_t *ret_response) {
        struct nlattr *tb[IFLA_MAX + 1], *port[IFLA_PORT_MAX + 1], *a;
        int rem;

        if (nlmsg_parse((struct nlmsghdr *) h, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_ports_policy) <
            0)
                return -EBADMSG;
        if (vsi->qbh && vsi->vf < 0) {
                if (!tb[IFLA_PORT_SELF])
                        return 0;
                if (nla_parse_nested(port, IFLA_PORT_MAX, tb[IFLA_PORT_SELF], port_policy) < 0)
                        return -EBADMSG;
                port_response(port, ret_has_response, ret_response);
                return 1;
        }
        if (!tb[IFLA_VF_PORTS])
                return 0;
        nla_for_each_nested(a, tb[IFLA_VF_PORTS], rem) {
                if (nla_type(a) != IFLA_VF_PORT)
                        continue;
                if (nla_parse_nested(port, IFLA_PORT_MAX, a, port_policy) < 0)
                        return -EBADMSG;
                if (port_matches(port, vsi)) {
                        port_response(port, ret_has_response, ret_response);
                        return 1;
                }
        }
        return 0;
}

static struct nla_policy vfinfo_policy[IFLA_VF_MAX + 1] = {
        [IFLA_VF_MAC] = { .minlen = sizeof(struct ifla_vf_mac) },
        [IFLA_VF_VLAN] = { .minlen = sizeof(struct ifla_vf_vlan) },
};

static int event_parse_vfinfo(struct nlattr *list, vport_vsi_event *ev) {
        struct nlattr *info, *vf[IFLA_VF_MAX + 1];
        int rem;

        nla_for_each_nested(info, list, rem) {
                if (nla_type(info) != IFLA_VF_INFO)
                        continue;
                if (nla_parse_nested(vf, IFLA_VF_MAX, info, vfinfo_policy) < 0)
                        return -EBADMSG;
                if (vf[IFLA_VF_MAC])
                        memcpy(ev->mac.addr, ((struct ifla_vf_mac *) nla_data(vf[IFLA_VF_MAC]))->mac,
                               VPORT_MAC_LEN);
                if (vf[IFLA_VF_VLAN])
                        ev->vlan = (int) ((struct ifla_vf_vlan *) nla_data(vf[IFLA_VF_VLAN]))->vlan;
                return 0; /* one MAC/VLAN pair per VSI is what we request */
        }
        return 0;
}

static int event_parse_port(struct nlattr *ports, vport_vsi_event *ev) {
        struct nlattr *a, *port[IFLA_PORT_MAX + 1];
        int rem;

        nla_for_each_nested(a, ports, rem) {
                if (nla_type(a) != IFLA_VF_PORT)
                        continue;
                if (nla_parse_nested(port, IFLA_PORT_MAX, a, port_policy) < 0)
                        return -EBADMSG;
                if (!port[IFLA_PORT_INSTANCE_UUID] || !port[IFLA_PORT_REQUEST])
                        return -ENOMSG;
                memcpy(ev->instance.bytes, nla_data(port[IFLA_PORT_INSTANCE_UUID]), PORT_UUID_MAX);
                /* a u8 or lldpad's u16, little-endian on the hosts lldpad runs on */
                ev->request = nla_len(port[IFLA_PORT_REQUEST]) == 2 ? nla_get_u16(port[IFLA_PORT_REQUEST])
                                                                    : nla_get_u8(port[IFLA_PORT_REQUEST]);
                if (port[IFLA_PORT_RESPONSE])
                        ev->response = nla_get_u16(port[IFLA_PORT_RESPONSE]);
                if (port[IFLA_PORT_VSI_TYPE]) {
                        const struct ifla_port_vsi *t = nla_data(port[IFLA_PORT_VSI_TYPE]);

                        ev->manager_id = t->vsi_mgr_id;
                        ev->type_id = (uint32_t) t->vsi_type_id[0] | (uint32_t) t->vsi_type_id[1] << 8 |
                                      (uint32_t) t->vsi_type_id[2] << 16;
                        ev->type_id_version = t->vsi_type_version;
                }
                return 0;
        }
        return -ENOMSG;
}

int vsi_event_parse(const void *buf, size_t len, vport_vsi_event *ret) {
        const struct nlmsghdr *h = buf;
        struct nlattr *tb[IFLA_MAX + 1];
        vport_vsi_event ev = { .vlan = -1 };
        int r;

        assert_return(buf && ret, -EINVAL);
        if (len < NLMSG_HDRLEN || h->nlmsg_len > len ||
            h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
                return -EBADMSG;
        if (h->nlmsg_type != RTM_SETLINK)
                return -ENOMSG;
        if (nlmsg_parse((struct nlmsghdr *) h, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_ports_policy) <
            0)
                return -EBADMSG;
        if (!tb[IFLA_VF_PORTS])
                return -ENOMSG;
        ev.ifindex = ((const struct ifinfomsg *) nlmsg_data(h))->ifi_index;
        if (tb[IFLA_IFNAME])
                snprintf(ev.ifname, sizeof(ev.ifname), "%s", nla_get_string(tb[IFLA_IFNAME]));
        if (tb[IFLA_VFINFO_LIST] && (r = event_parse_vfinfo(tb[IFLA_VFINFO_LIST], &ev)) < 0)
                return r;
        if ((r = event_parse_port(tb[IFLA_VF_PORTS], &ev)) < 0)
                return r;
        *ret = ev;
        return 0;
}
