/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 802.1Qbg/Qbh port profiles. The request bytes, decoded with libnl
 * against linux/if_link.h's layout (what lldpad and the kernel read); the
 * answers (lldpad's status dump, its unsolicited message) parsed with
 * their policies; every response code named; and the lifecycle over the
 * fake link table with a fake switch behind the vsi_request op: which
 * request each step sends, what the journal holds, and that a refused or
 * unanswered request leaves no macvtap and nothing recorded. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "config.h"
#include "core/internal.h"
#include "core/vsi.h"
#include "ctx-fixture.h"
#include "fake-netdev.h"
#include "kernel/kernel-internal.h"

static const vport_uuid instance = { { 0xce, 0x2c, 0x7a, 0xef, 0xf5, 0x2e, 0x43, 0x0d, 0x8f, 0x3f, 0xbc,
                                       0x4c, 0x36, 0x65, 0x0e, 0xa7 } };
static const vport_uuid host = { { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                                   0xdd, 0xee, 0xff, 0x00 } };

static vport_vsi qbg_vsi(void) {
        vport_vsi v = {
                .ifindex = 7,
                .ifname = "eth0",
                .vf = -1,
                .has_mac = true,
                .mac = { { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 } },
                .vlan = 0,
                .manager_id = 11,
                .type_id = 0x123457,
                .type_id_version = 2,
                .instance = instance,
        };
        return v;
}

/* Strict policies: exact sizes as linux/if_link.h declares them. */
static struct nla_policy top_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = { .type = NLA_STRING },
        [IFLA_VFINFO_LIST] = { .type = NLA_NESTED },
        [IFLA_VF_PORTS] = { .type = NLA_NESTED },
        [IFLA_PORT_SELF] = { .type = NLA_NESTED },
};
static struct nla_policy vf_policy[IFLA_VF_MAX + 1] = {
        [IFLA_VF_MAC] = { .minlen = sizeof(struct ifla_vf_mac), .maxlen = sizeof(struct ifla_vf_mac) },
        [IFLA_VF_VLAN] = { .minlen = sizeof(struct ifla_vf_vlan), .maxlen = sizeof(struct ifla_vf_vlan) },
};
static struct nla_policy port_policy[IFLA_PORT_MAX + 1] = {
        [IFLA_PORT_VF] = { .type = NLA_U32, .maxlen = 4 },
        [IFLA_PORT_PROFILE] = { .type = NLA_STRING, .maxlen = PORT_PROFILE_MAX },
        [IFLA_PORT_VSI_TYPE] = { .minlen = sizeof(struct ifla_port_vsi),
                                 .maxlen = sizeof(struct ifla_port_vsi) },
        [IFLA_PORT_INSTANCE_UUID] = { .minlen = PORT_UUID_MAX, .maxlen = PORT_UUID_MAX },
        [IFLA_PORT_HOST_UUID] = { .minlen = PORT_UUID_MAX, .maxlen = PORT_UUID_MAX },
        [IFLA_PORT_REQUEST] = { .type = NLA_U8, .maxlen = 1 },
};

typedef struct decoded {
        struct ifinfomsg ifi;
        struct nlattr *tb[IFLA_MAX + 1], *vf[IFLA_VF_MAX + 1], *port[IFLA_PORT_MAX + 1];
        int n_ports;
} decoded;

static void decode(struct nl_msg *msg, decoded *d) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *a, *ports;
        int rem;

        memset(d, 0, sizeof(*d));
        assert_int_equal(h->nlmsg_type, RTM_SETLINK);
        memcpy(&d->ifi, nlmsg_data(h), sizeof(d->ifi));
        assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), d->tb, IFLA_MAX, top_policy), 0);
        if (d->tb[IFLA_VFINFO_LIST]) {
                a = nla_data(d->tb[IFLA_VFINFO_LIST]);
                assert_int_equal(nla_type(a), IFLA_VF_INFO);
                assert_int_equal(nla_parse_nested(d->vf, IFLA_VF_MAX, a, vf_policy), 0);
        }
        ports = d->tb[IFLA_VF_PORTS];
        if (d->tb[IFLA_PORT_SELF]) {
                assert_null(ports);
                assert_int_equal(
                        nla_parse_nested(d->port, IFLA_PORT_MAX, d->tb[IFLA_PORT_SELF], port_policy), 0);
                d->n_ports = 1;
                return;
        }
        assert_non_null(ports);
        nla_for_each_nested(a, ports, rem) {
                assert_int_equal(nla_type(a), IFLA_VF_PORT);
                assert_int_equal(nla_parse_nested(d->port, IFLA_PORT_MAX, a, port_policy), 0);
                d->n_ports++;
        }
}

/* What libvirt sends lldpad: the uplink by index and name, the guest MAC
 * and VLAN for VF -1, one VF port with the VSI type bytes (type id
 * little-endian), the instance and the request; no IFLA_PORT_VF. */
static void test_qbg_request_bytes(void **state) {
        vport_vsi v = qbg_vsi();
        struct nl_msg *msg = vsi_setlink_msg(&v, VSI_ASSOCIATE, NULL);
        const struct ifla_port_vsi *t;
        const struct ifla_vf_mac *m;
        const struct ifla_vf_vlan *vl;
        decoded d;

        assert_non_null(msg);
        decode(msg, &d);
        assert_int_equal(d.ifi.ifi_index, 7);
        assert_string_equal(nla_get_string(d.tb[IFLA_IFNAME]), "eth0");
        m = nla_data(d.vf[IFLA_VF_MAC]);
        assert_int_equal(m->vf, 0xffffffffu);
        assert_memory_equal(m->mac, v.mac.addr, 6);
        vl = nla_data(d.vf[IFLA_VF_VLAN]);
        assert_int_equal(vl->vf, 0xffffffffu);
        assert_int_equal(vl->vlan, 0);
        assert_int_equal(d.n_ports, 1);
        t = nla_data(d.port[IFLA_PORT_VSI_TYPE]);
        assert_int_equal(t->vsi_mgr_id, 11);
        assert_int_equal(t->vsi_type_id[0], 0x57);
        assert_int_equal(t->vsi_type_id[1], 0x34);
        assert_int_equal(t->vsi_type_id[2], 0x12);
        assert_int_equal(t->vsi_type_version, 2);
        assert_memory_equal(nla_data(d.port[IFLA_PORT_INSTANCE_UUID]), instance.bytes, 16);
        assert_int_equal(nla_get_u8(d.port[IFLA_PORT_REQUEST]), PORT_REQUEST_ASSOCIATE);
        assert_null(d.port[IFLA_PORT_VF]);
        assert_null(d.port[IFLA_PORT_PROFILE]);
        assert_null(d.port[IFLA_PORT_HOST_UUID]);
        nlmsg_free(msg);

        msg = vsi_setlink_msg(&v, VSI_PREASSOCIATE, NULL);
        decode(msg, &d);
        assert_int_equal(nla_get_u8(d.port[IFLA_PORT_REQUEST]), PORT_REQUEST_PREASSOCIATE);
        nlmsg_free(msg);
}

/* 802.1Qbh for VF 3 of the PF: profile, instance (the VM), host UUID, the
 * VF index, the MAC for that VF; no IFLA_IFNAME (the kernel would rename
 * the PF) and no VSI type. A disassociate names only the VF. */
static void test_qbh_request_bytes(void **state) {
        vport_vsi v = { .qbh = true,
                        .ifindex = 4,
                        .ifname = "enic0",
                        .vf = 3,
                        .has_mac = true,
                        .mac = { { 0x52, 0x54, 0x00, 0, 0, 9 } },
                        .vlan = -1,
                        .profile = "finance",
                        .instance = instance };
        struct nl_msg *msg = vsi_setlink_msg(&v, VSI_PREASSOCIATE_RR, &host);
        decoded d;

        decode(msg, &d);
        assert_int_equal(d.ifi.ifi_index, 4);
        assert_null(d.tb[IFLA_IFNAME]);
        assert_int_equal(((struct ifla_vf_mac *) nla_data(d.vf[IFLA_VF_MAC]))->vf, 3);
        assert_null(d.vf[IFLA_VF_VLAN]);
        assert_string_equal(nla_get_string(d.port[IFLA_PORT_PROFILE]), "finance");
        assert_memory_equal(nla_data(d.port[IFLA_PORT_INSTANCE_UUID]), instance.bytes, 16);
        assert_memory_equal(nla_data(d.port[IFLA_PORT_HOST_UUID]), host.bytes, 16);
        assert_int_equal(nla_get_u32(d.port[IFLA_PORT_VF]), 3);
        assert_int_equal(nla_get_u8(d.port[IFLA_PORT_REQUEST]), PORT_REQUEST_PREASSOCIATE_RR);
        assert_null(d.port[IFLA_PORT_VSI_TYPE]);
        nlmsg_free(msg);

        msg = vsi_setlink_msg(&v, VSI_DISASSOCIATE, &host);
        decode(msg, &d);
        assert_null(d.tb[IFLA_VFINFO_LIST]);
        assert_null(d.port[IFLA_PORT_PROFILE]);
        assert_null(d.port[IFLA_PORT_INSTANCE_UUID]);
        assert_null(d.port[IFLA_PORT_HOST_UUID]);
        assert_int_equal(nla_get_u32(d.port[IFLA_PORT_VF]), 3);
        assert_int_equal(nla_get_u8(d.port[IFLA_PORT_REQUEST]), PORT_REQUEST_DISASSOCIATE);
        nlmsg_free(msg);

        /* the device itself: IFLA_PORT_SELF, no VF index, no VF MAC (the
         * kernel refuses VF -1 in IFLA_VF_MAC) */
        v.vf = -1;
        msg = vsi_setlink_msg(&v, VSI_ASSOCIATE, &host);
        decode(msg, &d);
        assert_non_null(d.tb[IFLA_PORT_SELF]);
        assert_null(d.tb[IFLA_VFINFO_LIST]);
        assert_null(d.port[IFLA_PORT_VF]);
        assert_string_equal(nla_get_string(d.port[IFLA_PORT_PROFILE]), "finance");
        nlmsg_free(msg);
}

/* lldpad's status answer: NLMSG_DONE, ifinfomsg, IFLA_VF_PORTS with one
 * IFLA_VF_PORT per VSI (instance, PORT_SELF_VF, response if any). */
static struct nl_msg *lldpad_status(const vport_uuid *a, int resp_a, const vport_uuid *b, int resp_b,
                                    int uuid_len) {
        struct nl_msg *msg = nlmsg_alloc();
        struct ifinfomsg ifi = { .ifi_index = 7 };
        struct nlattr *ports, *port;
        const vport_uuid *u[] = { a, b };
        int resp[] = { resp_a, resp_b };

        nlmsg_put(msg, 0, 1, NLMSG_DONE, 0, 0);
        nlmsg_append(msg, &ifi, sizeof(ifi), 0);
        ports = nla_nest_start(msg, IFLA_VF_PORTS);
        for (int i = 0; i < 2; i++) {
                if (!u[i])
                        continue;
                port = nla_nest_start(msg, IFLA_VF_PORT);
                nla_put(msg, IFLA_PORT_INSTANCE_UUID, uuid_len, u[i]->bytes);
                nla_put_u32(msg, IFLA_PORT_VF, PORT_SELF_VF);
                if (resp[i] >= 0)
                        nla_put_u16(msg, IFLA_PORT_RESPONSE, (uint16_t) resp[i]);
                nla_nest_end(msg, port);
        }
        nla_nest_end(msg, ports);
        return msg;
}

static void test_status_parse(void **state) {
        vport_vsi v = qbg_vsi();
        vport_uuid other = host;
        struct nl_msg *msg;
        bool has;
        uint32_t resp;

        /* ours listed second, no response yet: in progress */
        msg = lldpad_status(&other, 0, &instance, -1, 16);
        assert_int_equal(vsi_status_parse(nlmsg_hdr(msg), &v, &has, &resp), 1);
        assert_false(has);
        nlmsg_free(msg);
        /* answered: insufficient resources */
        msg = lldpad_status(&instance, PORT_VDP_RESPONSE_INSUFFICIENT_RESOURCES, NULL, 0, 16);
        assert_int_equal(vsi_status_parse(nlmsg_hdr(msg), &v, &has, &resp), 1);
        assert_true(has);
        assert_int_equal(resp, PORT_VDP_RESPONSE_INSUFFICIENT_RESOURCES);
        nlmsg_free(msg);
        /* not listed (a disassociate completed) */
        msg = lldpad_status(&other, 0, NULL, 0, 16);
        assert_int_equal(vsi_status_parse(nlmsg_hdr(msg), &v, &has, &resp), 0);
        nlmsg_free(msg);
        /* a UUID one byte short fails its policy, it is never read */
        msg = lldpad_status(&instance, 0, NULL, 0, 15);
        assert_int_equal(vsi_status_parse(nlmsg_hdr(msg), &v, &has, &resp), -EBADMSG);
        nlmsg_free(msg);
}

/* lldpad's unsolicited message (vdpnl_send): IFLA_PORT_REQUEST as u16. */
static void test_event_parse(void **state) {
        struct nl_msg *msg = nlmsg_alloc();
        struct ifinfomsg ifi = { .ifi_index = 7 };
        struct ifla_vf_mac m = { .vf = (uint32_t) -1, .mac = { 0x52, 0x54, 0, 0xaa, 0, 1 } };
        struct ifla_vf_vlan vl = { .vf = (uint32_t) -1, .vlan = 5 };
        struct ifla_port_vsi t = { .vsi_mgr_id = 11,
                                   .vsi_type_id = { 0x57, 0x34, 0x12 },
                                   .vsi_type_version = 2 };
        struct nlattr *a, *b;
        vport_vsi_event ev;

        nlmsg_put(msg, 1234, 77, RTM_SETLINK, 0, 0);
        nlmsg_append(msg, &ifi, sizeof(ifi), 0);
        nla_put_string(msg, IFLA_IFNAME, "eth0");
        a = nla_nest_start(msg, IFLA_VFINFO_LIST);
        b = nla_nest_start(msg, IFLA_VF_INFO);
        nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
        nla_put(msg, IFLA_VF_VLAN, sizeof(vl), &vl);
        nla_nest_end(msg, b);
        nla_nest_end(msg, a);
        a = nla_nest_start(msg, IFLA_VF_PORTS);
        b = nla_nest_start(msg, IFLA_VF_PORT);
        nla_put(msg, IFLA_PORT_VSI_TYPE, sizeof(t), &t);
        nla_put(msg, IFLA_PORT_INSTANCE_UUID, 16, instance.bytes);
        nla_put_u32(msg, IFLA_PORT_VF, PORT_SELF_VF);
        nla_put_u16(msg, IFLA_PORT_REQUEST, PORT_REQUEST_DISASSOCIATE);
        nla_nest_end(msg, b);
        nla_nest_end(msg, a);
        assert_int_equal(vsi_event_parse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, &ev), 0);
        assert_int_equal(ev.ifindex, 7);
        assert_string_equal(ev.ifname, "eth0");
        assert_memory_equal(ev.mac.addr, m.mac, 6);
        assert_int_equal(ev.vlan, 5);
        assert_int_equal(ev.type_id, 0x123457);
        assert_int_equal(ev.manager_id, 11);
        assert_memory_equal(ev.instance.bytes, instance.bytes, 16);
        assert_int_equal(ev.request, PORT_REQUEST_DISASSOCIATE);
        /* a length beyond the buffer, another message type */
        assert_int_equal(vsi_event_parse(nlmsg_hdr(msg), 20, &ev), -EBADMSG);
        nlmsg_hdr(msg)->nlmsg_type = RTM_NEWLINK;
        assert_int_equal(vsi_event_parse(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, &ev), -ENOMSG);
        nlmsg_free(msg);
}

static void test_response_names(void **state) {
        char buf[96];

        assert_string_equal(vsi_response_name(0, buf), "success (0)");
        assert_string_equal(vsi_response_name(2, buf), "insufficient resources (2)");
        assert_string_equal(vsi_response_name(3, buf), "unused VSI type id (VTID) (3)");
        assert_string_equal(vsi_response_name(6, buf), "out of sync (6)");
        assert_string_equal(vsi_response_name(0x12, buf), "insufficient resources, hard error (18)");
        assert_string_equal(vsi_response_name(0x100, buf), "success (0x100)");
        assert_string_equal(vsi_response_name(0x102, buf), "invalid (0x102)");
        assert_string_equal(vsi_response_name(0x105, buf), "error (0x105)");
        assert_string_equal(vsi_response_name(0x1ff, buf), "unknown response 0x1ff");
        for (uint32_t r = 0; r < 16; r++)
                assert_null(strstr(vsi_response_name(r, buf), "(null)"));
        assert_string_equal(vsi_request_to_string(VSI_PREASSOCIATE_RR), "PREASSOCIATE_RR");
}

/* ---- the lifecycle over a fake switch ---- */

typedef struct fake_switch {
        vport_vsi_request sent[16];
        vport_vsi last;
        size_t n;
        int fail;   /* next ASSOCIATE/PREASSOCIATE returns this */
        bool taken; /* ... after lldpad took it (a switch's refusal, a timeout) */
        bool held;  /* what the switch holds for the instance */
        int fail_disassociate;
} fake_switch;

static fake_switch sw;

static int fake_vsi_request(vport_kernel *k, const vport_vsi *v, vport_vsi_request req, bool *ret_sent,
                            vport_error *err) {
        if (ret_sent)
                *ret_sent = false;
        sw.sent[sw.n++] = req;
        sw.last = *v;
        if (req == VSI_DISASSOCIATE && sw.fail_disassociate)
                return vport_error_set(err, sw.fail_disassociate,
                                       "802.1Qbg: no answer from the fake switch");
        if (req != VSI_DISASSOCIATE && sw.fail) {
                int r = sw.fail;
                if (ret_sent)
                        *ret_sent = sw.taken;
                sw.fail = 0;
                return vport_error_set(err, r, "802.1Qbg: %s refused by the fake switch",
                                       vsi_request_to_string(req));
        }
        if (ret_sent)
                *ret_sent = true;
        sw.held = req != VSI_DISASSOCIATE;
        return 0;
}

static vport_kernel_ops ops;
static char dir[TU_DIR_MAX];
static vport_ctx *ctx;

static int setup(void **state) {
        const char *xml =
                "<network><name>qbg</name><forward mode='vepa'><interface dev='eth0'/></forward>"
                "<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047'/></virtualport>"
                "<portgroup name='pg' default='yes'><virtualport><parameters "
                "typeidversion='3'/></virtualport>"
                "</portgroup>"
                "</network>";

        tu_state_dir_new(dir, "test-vsi");
        fake_net_setup();
        ops = fake_net_ops;
        ops.vsi_request = fake_vsi_request;
        memset(&sw, 0, sizeof(sw));
        ctx = tu_ctx_open(dir, &ops);
        tu_net_up(ctx, xml, "qbg");
        return 0;
}

static int teardown(void **state) {
        vport_ctx_close(ctx);
        tu_state_dir_remove(dir);
        return 0;
}

static int create(unsigned flags, const char *portgroup, vport_port **ret, vport_error *err) {
        static const vport_mac mac = { { 0x52, 0x54, 0x00, 0xcc, 0x00, 0x01 } };
        vport_port_request req = {
                .network = "qbg",
                .mac = &mac,
                .owner_name = "vm1",
                .vlan = -1,
                .portgroup = portgroup,
                .flags = VPORT_PORT_PREPARE | flags,
        };
        return vport_port_create(ctx, &req, ret, err);
}

static size_t journal_entries(const vport_port *p) {
        store_journal *e = NULL;
        size_t n = 0;

        assert_int_equal(store_journal_list(ctx->store, &p->def->uuid, &e, &n, NULL), 0);
        store_journal_array_free(e, n);
        return n;
}

/* prepare associates the uplink (the macvtap's lower device) with the
 * port's merged virtualport and the generated instance kept in its XML;
 * activate sends nothing more; delete disassociates. */
static void test_associate_at_prepare(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        assert_int_equal(create(0, NULL, &p, &err), 0);
        assert_int_equal(sw.n, 1);
        assert_int_equal(sw.sent[0], VSI_ASSOCIATE);
        assert_string_equal(sw.last.ifname, "eth0");
        assert_int_equal(sw.last.ifindex, 2);
        assert_int_equal(sw.last.type_id, 1193047);
        assert_int_equal(sw.last.type_id_version, 3); /* from the default portgroup */
        assert_true(p->def->virtualport->has_instance_id);
        assert_memory_equal(sw.last.instance.bytes, p->def->virtualport->instance_id.bytes, 16);
        {
                char *xml = NULL;
                assert_int_equal(vport_port_dumpxml(ctx, &p->def->uuid, &xml, &err), 0);
                assert_non_null(strstr(xml, "instanceid="));
                free(xml);
        }
        assert_int_equal(vport_port_activate(ctx, &p->def->uuid, NULL, &err), 0);
        assert_int_equal(sw.n, 1);
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        assert_int_equal(sw.n, 2);
        assert_int_equal(sw.sent[1], VSI_DISASSOCIATE);
        assert_false(sw.held);
        vport_port_free(p);
}

/* --incoming pre-associates (libvirt: PREASSOCIATE for 802.1Qbg); activate
 * associates. */
static void test_incoming(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        assert_int_equal(create(VPORT_PORT_INCOMING, NULL, &p, &err), 0);
        assert_int_equal(sw.n, 1);
        assert_int_equal(sw.sent[0], VSI_PREASSOCIATE);
        assert_int_equal(sw.last.type_id_version, 3);
        assert_int_equal(vport_port_activate(ctx, &p->def->uuid, NULL, &err), 0);
        assert_int_equal(sw.n, 2);
        assert_int_equal(sw.sent[1], VSI_ASSOCIATE);
        assert_int_equal(vport_port_deactivate(ctx, &p->def->uuid, NULL, &err), 0);
        assert_int_equal(vport_port_activate(ctx, &p->def->uuid, NULL, &err), 0);
        assert_int_equal(sw.n, 2); /* associated already */
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        assert_int_equal(sw.sent[2], VSI_DISASSOCIATE);
        vport_port_free(p);
}

/* The same by owner: a VM's ports are read from their summaries, which do
 * not carry the virtualport, so a port that has one must still be parsed
 * and its switch asked. */
static void test_incoming_by_owner(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        assert_int_equal(create(VPORT_PORT_INCOMING, NULL, &p, &err), 0);
        assert_int_equal(sw.n, 1);
        assert_int_equal(vport_port_activate_owner(ctx, "vm1", &err), 1);
        assert_int_equal(sw.n, 2);
        assert_int_equal(sw.sent[1], VSI_ASSOCIATE);
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        vport_port_free(p);
}

/* A port parameter that conflicts with the portgroup's is refused naming
 * both values; nothing is sent. */
static void test_conflict(void **state) {
        vport_port_request req = {
                .network = "qbg",
                .xml = "<networkport><uuid>6d0c1f5e-0000-4000-8000-0000000000bb</uuid><owner><name>vm1</"
                       "name>"
                       "<uuid>6d0c1f5e-0000-4000-8000-0000000000cc</uuid></owner><mac "
                       "address='52:54:00:cc:00:02'/>"
                       "<virtualport><parameters typeidversion='4'/></virtualport></networkport>",
                .vlan = -1,
                .flags = VPORT_PORT_PREPARE,
        };
        vport_error err = { 0 };
        vport_port *p = NULL;

        assert_int_equal(vport_port_create(ctx, &req, &p, &err), -EINVAL);
        assert_non_null(
                strstr(err.message, "typeidversion>: '3' on the portgroup conflicts with '4' on the port"));
        assert_int_equal(sw.n, 0);
}

/* lldpad refuses outright: nothing to undo. The switch refuses after
 * lldpad took it: a DISASSOCIATE follows. Either way no macvtap, no port,
 * no journal entry, and the error is the switch's. */
static void test_refused(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;
        vport_port **ports = NULL;
        size_t n = 0;

        sw.fail = -ECONNREFUSED;
        assert_int_equal(create(0, NULL, &p, &err), -ECONNREFUSED);
        assert_non_null(strstr(err.message, "refused by the fake switch"));
        assert_int_equal(sw.n, 1);
        sw.fail = -EPROTO, sw.taken = true;
        assert_int_equal(create(VPORT_PORT_INCOMING, NULL, &p, &err), -EPROTO);
        assert_int_equal(sw.n, 3);
        assert_int_equal(sw.sent[1], VSI_PREASSOCIATE);
        assert_int_equal(sw.sent[2], VSI_DISASSOCIATE);
        assert_int_equal(fake_net_count("macvtap"), 0);
        assert_int_equal(vport_port_list(ctx, NULL, &ports, &n, &err), 0);
        assert_int_equal(n, 0);
        vport_port_array_free(ports, n);
}

/* An ASSOCIATE refused at activate keeps the port prepared and
 * pre-associated: the macvtap stays down, a second activate tries again. */
static void test_activate_refused(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL, *q = NULL;

        assert_int_equal(create(VPORT_PORT_INCOMING, NULL, &p, &err), 0);
        sw.fail = -ETIMEDOUT;
        assert_int_equal(vport_port_activate(ctx, &p->def->uuid, NULL, &err), -ETIMEDOUT);
        assert_false(fake_net_find(p->rt.ifindex, NULL)->link.flags & 1 /* IFF_UP */);
        assert_int_equal(vport_port_get(ctx, &p->def->uuid, &q, &err), 0);
        assert_int_equal(q->state, PORT_STATE_PREPARED);
        assert_int_equal(journal_entries(p), 2); /* the macvtap and the VSI */
        assert_int_equal(vport_port_activate(ctx, &p->def->uuid, NULL, &err), 0);
        assert_int_equal(sw.sent[sw.n - 1], VSI_ASSOCIATE);
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        assert_int_equal(journal_entries(p), 0);
        vport_port_free(p);
        vport_port_free(q);
}

/* A DISASSOCIATE nobody answers does not keep the port: a notice says so. */
static void test_disassociate_unanswered(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;
        const char *const *notes;

        assert_int_equal(create(0, NULL, &p, &err), 0);
        sw.fail_disassociate = -ETIMEDOUT;
        vport_ctx_clear_notices(ctx);
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        assert_int_equal(vport_ctx_notices(ctx, &notes), 1);
        assert_non_null(strstr(notes[0], "disassociating left to the switch"));
        assert_int_equal(journal_entries(p), 0);
        assert_int_equal(fake_net_count("macvtap"), 0);
        vport_port_free(p);
}

/* The switch ended a VSI: the port holding that instance is associated
 * again, found through the VSI entries alone (no statement reads every
 * journal entry or port: issue 13); an instance of no port of ours is
 * ignored. */
static void test_reassociate(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;
        vport_vsi_event ev = { .vlan = 0 };
        vport_uuid port;

        assert_int_equal(create(0, NULL, &p, &err), 0);
        ev.instance = p->def->virtualport->instance_id;
        tu_sql_watch(ctx);
        assert_int_equal(port_vsi_reassociate(ctx, &ev, &port, &err), 1);
        assert_true(tu_sql_assert_indexed(ctx) >= 1);
        assert_memory_equal(port.bytes, p->def->uuid.bytes, 16);
        assert_int_equal(sw.sent[sw.n - 1], VSI_ASSOCIATE);
        ev.instance = host;
        assert_int_equal(port_vsi_reassociate(ctx, &ev, &port, &err), 0);
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        ev.instance = p->def->virtualport->instance_id;
        assert_int_equal(port_vsi_reassociate(ctx, &ev, &port, &err), 0);
        vport_port_free(p);
}

/* The drift items of kind vsi-ended; *ret_device gets the first's device. */
static size_t n_vsi_ended(const vport_uuid *port, char *ret_device, size_t size) {
        vport_drift_item **list = NULL;
        size_t n = 0, found = 0;

        assert_true(vport_drift(ctx, &list, &n, NULL) >= 0);
        for (size_t i = 0; i < n; i++) {
                if (vport_drift_item_get_kind(list[i]) != VPORT_DRIFT_VSI_ENDED)
                        continue;
                assert_memory_equal(vport_drift_item_get_port(list[i])->bytes, port->bytes, 16);
                if (found++ == 0)
                        snprintf(ret_device, size, "%s", vport_drift_item_get_device(list[i]));
        }
        vport_drift_item_array_free(list, n);
        return found;
}

/* The switch ended a VSI and refuses it again: drift reports the lost
 * association (from what re-association recorded, without asking lldpad)
 * until a later re-association succeeds. */
static void test_ended_is_drift(void **state) {
        vport_error err = { 0 };
        vport_port *p = NULL;
        vport_vsi_event ev = { .vlan = 0 };
        char device[64] = "";
        size_t sent;

        assert_int_equal(create(0, NULL, &p, &err), 0);
        assert_int_equal(n_vsi_ended(&p->def->uuid, device, sizeof(device)), 0);
        ev.instance = p->def->virtualport->instance_id;
        sw.fail = -EPROTO;
        assert_int_equal(port_vsi_reassociate(ctx, &ev, NULL, &err), -EPROTO);
        sent = sw.n;
        assert_int_equal(n_vsi_ended(&p->def->uuid, device, sizeof(device)), 1);
        assert_string_equal(device, "eth0"); /* the uplink */
        assert_int_equal(sw.n, sent);        /* drift asked the switch nothing */
        /* the retry vportd makes works: the mark goes */
        assert_int_equal(vport_port_reassociate(ctx, &p->def->uuid, &err), 1);
        assert_int_equal(n_vsi_ended(&p->def->uuid, device, sizeof(device)), 0);
        /* and delete still disassociates (the entry is intact) */
        assert_int_equal(vport_port_delete(ctx, &p->def->uuid, &err), 0);
        assert_int_equal(sw.sent[sw.n - 1], VSI_DISASSOCIATE);
        vport_port_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_qbg_request_bytes),
                cmocka_unit_test(test_qbh_request_bytes),
                cmocka_unit_test(test_status_parse),
                cmocka_unit_test(test_event_parse),
                cmocka_unit_test(test_response_names),
                cmocka_unit_test_setup_teardown(test_associate_at_prepare, setup, teardown),
                cmocka_unit_test_setup_teardown(test_incoming, setup, teardown),
                cmocka_unit_test_setup_teardown(test_incoming_by_owner, setup, teardown),
                cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_activate_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disassociate_unanswered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reassociate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ended_is_drift, setup, teardown),
        };
        /* The lifecycle tests need a vepa (macvtap) network, which a
         * -Dmacvtap=disabled build cannot define; cmocka takes a skip() in a
         * setup for an error, so they are left out there, with the reason. */
        size_t n = sizeof(tests) / sizeof(tests[0]);
        if (!WITH_MACVTAP) {
                print_message("skipped: built without macvtap (the lifecycle tests need a vepa network)\n");
                n = 5;
        }
        return _cmocka_run_group_tests("test-vsi", tests, n, NULL, NULL);
}
