/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An in-memory link table behind vport_kernel_ops: physical devices,
 * bridges and their ports (learning/flood flags), macvtaps, taps, the
 * bridges' FDB and netdev groups. It refuses what rtnetlink refuses
 * (a taken name, an unknown ifindex, a master that is not a bridge, a MAC
 * change on a running NIC, a second macvlan next to a passthrough one, a
 * group delete that would hit a physical device) and counts every call.
 * The state lives in shared memory, so a forked child that "crashes"
 * half-way leaves its changes for the parent to inspect. */
#pragma once

#include "kernel/kernel.h"

#define FAKE_NET_MAX_LINKS 64
#define FAKE_NET_MAX_FDB   32
#define FAKE_NET_MAX_ADDRS 8

typedef struct fake_net_link {
        vport_link link;      /* ifindex 0: free slot; kind "" = a physical NIC */
        bool learning, flood; /* bridge port flags, valid while master_ifindex != 0 */
        bool isolated;        /* IFLA_BRPORT_ISOLATED, idem */
        bool stp;             /* bridges: IFLA_BR_STP_STATE */
        bool ipv6_disabled;   /* /proc/sys/net/ipv6/conf/NAME/disable_ipv6 */
        uint32_t forward_delay_cs;
        vport_ipaddr addrs[FAKE_NET_MAX_ADDRS];
        size_t n_addrs;
        bool made_by_create; /* made through macvlan_create/tap_create (not setup) */
} fake_net_link;

typedef struct fake_net_fdb {
        int bridge_ifindex;
        int port_ifindex; /* 0: free slot */
        vport_mac mac;
} fake_net_fdb;

/* Calls per op, in the order of struct vport_kernel_ops's link part. */
typedef struct fake_net_calls {
        unsigned link_get, link_list, link_set_mac, link_set_up, link_set_master, link_set_group;
        unsigned link_delete, link_delete_group, macvlan_create, tap_create, macvtap_wait_dev;
        unsigned brport_set_flags, fdb_add, fdb_del, netdev_pci, other;
        unsigned brport_set_isolated, bridge_create, addr_add;
        unsigned link_list_kind, link_uc_list, link_set_mac_group;
        unsigned total; /* every call, any op */
} fake_net_calls;

typedef struct fake_net {
        fake_net_link links[FAKE_NET_MAX_LINKS];
        fake_net_fdb fdb[FAKE_NET_MAX_FDB];
        int next_ifindex;
        fake_net_calls calls;
} fake_net;

/* The model (valid after fake_net_setup()). */
extern fake_net *fnet;

/* Fresh model, like tests/netns: "eth0" (ifindex 2, up, pool device of the
 * direct networks), "eth1" (3, up, passthrough pool device), "br0" (4, a
 * bridge, up) with port "eth2" (5, up). Physical MACs are 02:00:00:00:00:0N. */
void fake_net_setup(void);

/* Add a device as an administrator would; returns its ifindex. */
int fake_net_add(const char *name, const char *kind, const vport_mac *mac, bool up);

/* The link named name (or with ifindex > 0), NULL if none. */
fake_net_link *fake_net_find(int ifindex, const char *name);

/* Remove a link as "ip link del" would (FDB entries, macvlans on it,
 * bridge ports detached), without counting a call. */
void fake_net_remove(int ifindex);

/* FDB entries for mac on any bridge. */
unsigned fake_net_fdb_count(const vport_mac *mac);
/* Number of links, or of links of kind ("macvtap", "tun", ...). */
unsigned fake_net_count(const char *kind);

extern const vport_kernel_ops fake_net_ops;
