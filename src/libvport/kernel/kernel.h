/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel layer: the only code that talks netlink, sysfs, ioctl or /dev.
 *
 * Everything above it calls through struct vport_kernel_ops, so tests can
 * wrap the real table and inject faults (EPERM on a MAC set, EBUSY on
 * unbind, a netdev that never comes back, a crash half-way) without preload
 * tricks. Devices are tracked by ifindex and PCI address; a name is only
 * ever a way to find one of those.
 *
 * Every op returns 0 (or a documented non-negative value) on success and a
 * negative errno on failure; on failure it fills err (may be NULL) with one
 * line naming the device and, for netlink, the kernel's extack text. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/mac.h"
#include "base/names.h"
#include "base/pci.h"
#include "base/uuid.h"

typedef struct vport_link {
        int ifindex;
        char name[VPORT_IFNAMSIZ];
        vport_mac mac;
        unsigned flags;    /* IFF_* from ifinfomsg (IFF_UP, IFF_LOWER_UP, ...) */
        bool carrier;      /* IFLA_CARRIER */
        uint8_t operstate; /* IFLA_OPERSTATE: IF_OPER_UP, IF_OPER_DOWN, ... (0: unknown) */
        unsigned mtu;
        int link_ifindex;      /* IFLA_LINK: lower device of macvlan/macvtap/veth, 0 if none */
        int master_ifindex;    /* IFLA_MASTER, 0 if none */
        uint32_t group;        /* IFLA_GROUP */
        char kind[32];         /* IFLA_INFO_KIND ("macvtap", "bridge", "veth", "tun", ...) or "" */
        unsigned short type;   /* ifi_type: ARPHRD_ETHER, ARPHRD_LOOPBACK, ... */
        vport_mac perm_mac;    /* IFLA_PERM_ADDRESS; all-zero if the device has none (veth, tap) */
        uint32_t macvlan_mode; /* MACVLAN_MODE_* when kind is macvlan/macvtap */
} vport_link;

/* One VF as the PF reports it in IFLA_VFINFO_LIST. A field the driver did not
 * report has its has_* flag false. */
typedef struct vport_vf_info {
        int vf;        /* VF index on the PF */
        vport_mac mac; /* the admin MAC (all-zero = unset) */
        uint16_t vlan; /* 0 = none */
        uint16_t qos;
        uint16_t vlan_proto; /* ETH_P_8021Q (0x8100) or ETH_P_8021AD; 0 = unreported */
        bool has_spoofchk, spoofchk;
        bool has_trust, trust;
        bool has_link_state;
        uint32_t link_state; /* IFLA_VF_LINK_STATE_AUTO/ENABLE/DISABLE */
        bool has_rate;
        uint32_t min_tx_rate, max_tx_rate; /* Mbit/s */
} vport_vf_info;

/* Which fields of a vport_vf_info vf_set() applies. */
enum {
        VF_SET_MAC = 1u << 0,
        VF_SET_VLAN = 1u << 1, /* vlan + qos + vlan_proto */
        VF_SET_SPOOFCHK = 1u << 2,
        VF_SET_TRUST = 1u << 3,
        VF_SET_LINK_STATE = 1u << 4,
        VF_SET_RATE = 1u << 5,
};

typedef struct vport_macvlan_request {
        int lower_ifindex;
        const char *name; /* exact name, or "macvtap%d": the kernel picks the number */
        vport_mac mac;
        uint32_t mode;  /* MACVLAN_MODE_VEPA/BRIDGE/PRIVATE/PASSTHRU */
        bool tap;       /* true: macvtap, false: macvlan */
        uint32_t group; /* netdev group to put it in (0 = default) */
        /* Made in this namespace (a container's, from netns_open), with the
         * lower device in the caller's; ret then describes it there. NULL:
         * the caller's namespace. */
        struct vport_kernel *netns;
} vport_macvlan_request;

/* A veth pair: name in the caller's namespace, peer_name in peer_netns's
 * (NULL: the same), each with its MAC, both down. */
typedef struct vport_veth_request {
        const char *name;
        vport_mac mac;
        uint32_t group; /* netdev group of the first end (0 = default) */
        const char *peer_name;
        vport_mac peer_mac;
        struct vport_kernel *peer_netns;
} vport_veth_request;

/* A Linux bridge to make (isolated and open networks). */
typedef struct vport_bridge_request {
        const char *name; /* exact name */
        vport_mac mac;
        bool stp;
        uint32_t forward_delay_cs; /* IFLA_BR_FORWARD_DELAY, in centiseconds (clock_t) */
        uint32_t group;            /* netdev group to make it in (0 = default) */
} vport_bridge_request;

/* What a PCI address is, read from sysfs. */
typedef struct vport_pci_info {
        vport_pci_addr addr;
        bool is_net;       /* class 0x02xxxx (network controller) */
        bool is_vf;        /* has physfn */
        vport_pci_addr pf; /* valid if is_vf */
        int vf_index;      /* valid if is_vf: N of the PF's virtfnN link */
        char driver[64];   /* bound driver or "" */
        int iommu_group;   /* -1 if none */
} vport_pci_info;

/* A port profile: 802.1Qbg (VDP, spoken by lldpad for us) or 802.1Qbh
 * (spoken by the PF's driver, enic). Requests are linux/if_link.h's
 * PORT_REQUEST_* values. */
typedef enum vport_vsi_request {
        VSI_PREASSOCIATE = 0,    /* PORT_REQUEST_PREASSOCIATE */
        VSI_PREASSOCIATE_RR = 1, /* PORT_REQUEST_PREASSOCIATE_RR */
        VSI_ASSOCIATE = 2,       /* PORT_REQUEST_ASSOCIATE */
        VSI_DISASSOCIATE = 3,    /* PORT_REQUEST_DISASSOCIATE */
        _VSI_REQUEST_MAX,
} vport_vsi_request;

typedef struct vport_vsi {
        bool qbh;                    /* false: 802.1Qbg, to lldpad; true: 802.1Qbh, to the kernel */
        int ifindex;                 /* Qbg: the uplink (macvtap's lower device); Qbh: PF or the device */
        char ifname[VPORT_IFNAMSIZ]; /* of ifindex (Qbg: sent as IFLA_IFNAME) */
        int vf;                      /* VF index on the PF; -1: the device itself (PORT_SELF_VF) */
        bool has_mac;
        vport_mac mac;           /* guest MAC (IFLA_VF_MAC) */
        int vlan;                /* IFLA_VF_VLAN; -1: none (Qbg always sends one: 0 = untagged) */
        uint8_t manager_id;      /* Qbg: VSI manager id */
        uint32_t type_id;        /* Qbg: VSI type id, 24 bits */
        uint8_t type_id_version; /* Qbg */
        char profile[40];        /* Qbh: port profile name */
        vport_uuid instance;     /* Qbg: VSI instance; Qbh: the VM's UUID */
        bool has_host_uuid;      /* Qbh: host UUID given; else the kernel layer's own */
        vport_uuid host_uuid;
} vport_vsi;

/* An unsolicited RTM_SETLINK from lldpad: the switch (or lldpad) ended a
 * VSI that a request of ours had set up. */
typedef struct vport_vsi_event {
        int ifindex;
        char ifname[VPORT_IFNAMSIZ];
        vport_mac mac;
        int vlan;
        uint8_t manager_id;
        uint32_t type_id;
        uint8_t type_id_version;
        vport_uuid instance;
        int request;       /* PORT_REQUEST_*: what the VSI is now (DISASSOCIATE: gone) */
        uint32_t response; /* lldpad's status for it, with its error bits */
} vport_vsi_event;

/* "success", "invalid format", ... for an IFLA_PORT_RESPONSE value (VDP
 * and port profile codes, lldpad's error bits named). Returns buf. */
char *vsi_response_name(uint32_t response, char buf[static 96]);
const char *vsi_request_to_string(vport_vsi_request r);

typedef struct vport_kernel vport_kernel;

/* One rtnetlink link notification (RTM_NEWLINK or RTM_DELLINK). */
typedef enum vport_link_event_type {
        VPORT_LINK_NEW, /* a link appeared or changed */
        VPORT_LINK_DEL, /* a link left this namespace (deleted or moved away) */
} vport_link_event_type;

typedef void (*vport_link_event_fn)(vport_link_event_type type, const vport_link *link, void *userdata);

typedef struct vport_kernel_ops {
        /* --- links (rtnetlink) --- */
        /* By ifindex if > 0, else by name. -ENODEV if absent. */
        int (*link_get)(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err);
        /* Every link in the namespace; *ret is malloc'ed, caller frees. */
        int (*link_list)(vport_kernel *k, vport_link **ret, size_t *ret_n, vport_error *err);
        /* The links of one IFLA_INFO_KIND ("macvtap", ...): a dump the
         * kernel filters, so its cost is that of the links of that kind,
         * not of every link in the namespace. *ret malloc'ed. */
        int (*link_list_kind)(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n,
                              vport_error *err);
        int (*link_set_mac)(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err);
        int (*link_set_up)(vport_kernel *k, int ifindex, bool up, vport_error *err);
        int (*link_set_mtu)(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err);
        int (*link_set_master)(vport_kernel *k, int ifindex, int master_ifindex,
                               vport_error *err); /* 0 = detach */
        int (*link_set_group)(vport_kernel *k, int ifindex, uint32_t group, vport_error *err);
        /* IFLA_ADDRESS and IFLA_GROUP (0 included) in one RTM_SETLINK. The
         * kernel applies the address first: if it refuses it (a down
         * macvlan's MAC already held on its lower device: -EADDRINUSE,
         * macvlan_addr_busy()), the group is left as it was. */
        int (*link_set_mac_group)(vport_kernel *k, int ifindex, const vport_mac *mac, uint32_t group,
                                  vport_error *err);
        int (*link_delete)(vport_kernel *k, int ifindex, vport_error *err);
        /* Delete every link of a netdev group in one request: the kernel then
         * unregisters them together (one RCU grace period, not one each). */
        int (*link_delete_group)(vport_kernel *k, uint32_t group, vport_error *err);

        /* --- SR-IOV through the PF --- */
        /* One RTM_GETLINK with IFLA_EXT_MASK = RTEXT_FILTER_VF. *ret malloc'ed. */
        int (*vf_list)(vport_kernel *k, int pf_ifindex, vport_vf_info **ret, size_t *ret_n,
                       vport_error *err);
        /* Apply the fields of cfg selected by mask (VF_SET_*) to VF cfg->vf. An
         * attribute the driver does not support fails with -EOPNOTSUPP and err
         * "... unsupported by driver X". */
        int (*vf_set)(vport_kernel *k, int pf_ifindex, const vport_vf_info *cfg, unsigned mask,
                      vport_error *err);

        /* --- macvtap / macvlan, tap, bridge --- */
        /* A name with a trailing "%d" (both here and for tap_create) is a
         * template: the device gets a number no device of the namespace
         * has (one found free by name lookups, or the kernel's own pick if
         * another process took that one meanwhile: race-free either way)
         * and ret carries the name; learnt from the create itself
         * (NLM_F_ECHO, TUNSETIFF), never from a dump. */
        int (*macvlan_create)(vport_kernel *k, const vport_macvlan_request *req, vport_link *ret,
                              vport_error *err);
        /* A persistent tap device named name (or from a template), with mac, in netdev
         * group (0 = default). A tap only ever outlives the call (a kill
         * included) with both already set. */
        int (*tap_create)(vport_kernel *k, const char *name, const vport_mac *mac, uint32_t group,
                          vport_link *ret, vport_error *err);
        /* Path of the character device of a macvtap ("/dev/tapN"), waiting up to
         * timeout_ms for it to appear. */
        int (*macvtap_wait_dev)(vport_kernel *k, int ifindex, int timeout_ms, char **ret_path,
                                vport_error *err);
        /* Bridge port flags (IFLA_BRPORT_LEARNING, IFLA_BRPORT_UNICAST_FLOOD). */
        int (*brport_set_flags)(vport_kernel *k, int ifindex, bool learning, bool unicast_flood,
                                vport_error *err);
        /* IFLA_BRPORT_ISOLATED: an isolated port exchanges no frames with
         * other isolated ports of its bridge, only with non-isolated ones. */
        int (*brport_set_isolated)(vport_kernel *k, int ifindex, bool isolated, vport_error *err);
        /* A bridge, down, made in one RTM_NEWLINK with its MAC, forward delay
         * and STP state: from its first moment it carries the MAC, so one
         * found by name with that MAC is the one made. -EEXIST if the name
         * is taken. */
        int (*bridge_create)(vport_kernel *k, const vport_bridge_request *req, vport_link *ret,
                             vport_error *err);
        /* Write /proc/sys/net/ipv6/conf/IFNAME/KEY (this namespace's): key is
         * one of disable_ipv6, accept_ra, autoconf. -ENOENT if the kernel
         * has no IPv6. */
        int (*ipv6_conf_set)(vport_kernel *k, const char *ifname, const char *key, int value,
                             vport_error *err);
        /* RTM_NEWADDR (an IPv4 address with its broadcast). -EEXIST if present. */
        int (*addr_add)(vport_kernel *k, int ifindex, const vport_ipaddr *addr, vport_error *err);
        /* Static FDB entry on the bridge (NTF_MASTER) for a port. del: -ENOENT if absent. */
        int (*fdb_add)(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
        int (*fdb_del)(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
        /* Whether the port's bridge holds an entry for mac on that port
         * (RTM_GETNEIGH, read only). 0 if so, -ENOENT if not, -EINVAL if the
         * device is no bridge port, -ENODEV if there is no such device. */
        int (*fdb_get)(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
        /* The unicast addresses device ifindex holds besides its own (its uc
         * list, as `bridge fdb show dev X self` shows it): an up macvlan or
         * macvtap adds its MAC there (macvlan_open). Only that device is
         * read. *ret malloc'ed. */
        int (*link_uc_list)(vport_kernel *k, int ifindex, vport_mac **ret, size_t *ret_n, vport_error *err);

        /* --- port profiles (802.1Qbg through lldpad, 802.1Qbh through the PF) --- */
        /* Send request for vsi and wait until it is answered: 802.1Qbg as
         * RTM_SETLINK to lldpad's netlink port (its pid, from its pid file),
         * then RTM_GETLINK polls until IFLA_PORT_RESPONSE of this instance
         * says success or failure, or the timeout (kernel_vsi_config). For
         * 802.1Qbh the same to the kernel. *ret_sent (may be NULL) tells
         * whether the request was accepted (something may now be
         * (pre-)associated, so a failure afterwards needs a
         * DISASSOCIATE). Returns 0, -ETIMEDOUT, -EOPNOTSUPP (device or lldpad
         * does not do it), -ECONNREFUSED/-ESRCH (lldpad not running),
         * -EPROTO (the switch answered with a failure, named in err), ... */
        int (*vsi_request)(vport_kernel *k, const vport_vsi *vsi, vport_vsi_request req, bool *ret_sent,
                           vport_error *err);
        /* The next unsolicited message lldpad sent to our netlink port
         * (RTM_SETLINK naming a VSI that ended), without blocking: 1 and
         * *ret, 0 if there is none, or -errno. */
        int (*vsi_event_next)(vport_kernel *k, vport_vsi_event *ret, vport_error *err);

        /* --- PCI / sysfs (under the sysfs root) --- */
        int (*pci_info)(vport_kernel *k, const vport_pci_addr *addr, vport_pci_info *ret, vport_error *err);
        /* Netdev names under .../BDF/net/ (none: *ret_n = 0). *ret is a malloc'ed
         * array of malloc'ed strings. */
        int (*pci_netdevs)(vport_kernel *k, const vport_pci_addr *addr, char ***ret, size_t *ret_n,
                           vport_error *err);
        /* The PCI device behind a netdev; -ENODEV if it has none (veth, bridge). */
        int (*netdev_pci)(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err);
        /* VFs of a PF in virtfn order: (*ret)[i] is virtfn<i>. */
        int (*pci_vfs)(vport_kernel *k, const vport_pci_addr *pf, vport_pci_addr **ret, size_t *ret_n,
                       vport_error *err);
        int (*sriov_numvfs)(vport_kernel *k, const vport_pci_addr *pf, int *ret_num, int *ret_total,
                            vport_error *err);
        int (*pci_unbind)(vport_kernel *k, const vport_pci_addr *addr, vport_error *err);
        /* Bind to driver (via driver_override + drivers_probe, then clear the
         * override) and wait until the driver symlink shows it. */
        int (*pci_bind)(vport_kernel *k, const vport_pci_addr *addr, const char *driver, vport_error *err);
        /* Wait up to timeout_ms for a netdev to appear under the device; never
         * trusts an old name (udev may rename). -ETIMEDOUT if none. */
        int (*pci_wait_netdev)(vport_kernel *k, const vport_pci_addr *addr, int timeout_ms, char **ret_name,
                               vport_error *err);

        /* --- a VM manager's file descriptors (port-exec) --- */
        /* Attach to the existing persistent tap name (TUNSETIFF on /dev/net/tun
         * with IFF_VNET_HDR, as QEMU's -netdev tap expects): *ret_fd is the
         * queue, close-on-exec. -ENODEV if no tap has that name. */
        int (*tap_open)(vport_kernel *k, const char *name, int *ret_fd, vport_error *err);
        /* Open a macvtap's character device (found by ifindex, /dev/tapN),
         * close-on-exec. */
        int (*macvtap_open)(vport_kernel *k, int ifindex, int *ret_fd, vport_error *err);

        /* --- the failover agent: tc redirects, link events, a VF's hygiene --- */
        /* A clsact qdisc on the device; 0 if it already has one. */
        int (*tc_clsact_add)(vport_kernel *k, int ifindex, vport_error *err);
        /* Remove the clsact qdisc (and every filter on it); 0 if there is none. */
        int (*tc_clsact_del)(vport_kernel *k, int ifindex, vport_error *err);
        /* A match-all filter at prio VPORT_TC_REDIRECT_PRIO on the device's
         * egress (ingress: false) or ingress hook whose mirred action redirects
         * every frame to to_ifindex's egress (to_ingress: false) or ingress.
         * -EEXIST if that prio is taken. */
        int (*tc_redirect_add)(vport_kernel *k, int ifindex, bool ingress, int to_ifindex, bool to_ingress,
                               vport_error *err);
        /* Delete that filter; 0 if absent (or the device has no clsact). */
        int (*tc_redirect_del)(vport_kernel *k, int ifindex, bool ingress, vport_error *err);
        /* IFLA_IFALIAS; "" removes it. */
        int (*link_set_alias)(vport_kernel *k, int ifindex, const char *alias, vport_error *err);
        /* IFLA_INET6_ADDR_GEN_MODE (IN6_ADDR_GEN_MODE_NONE: no link-local
         * address when the device comes up). -EAFNOSUPPORT without IPv6. */
        int (*link_set_addr_gen_mode)(vport_kernel *k, int ifindex, uint8_t mode, vport_error *err);
        /* How many IPv4 and IPv6 addresses the device has. */
        int (*addr_count)(vport_kernel *k, int ifindex, size_t *ret_v4, size_t *ret_v6, vport_error *err);
        /* A netlink socket subscribed to RTNLGRP_LINK (non-blocking, close-on-exec);
         * the caller polls and closes *ret_fd. */
        int (*link_watch_open)(vport_kernel *k, int *ret_fd, vport_error *err);
        /* Read what is queued on a watch socket and hand each link message to
         * fn. Returns 0 when the queue is empty, -ENOBUFS if the kernel
         * dropped notifications (the caller must re-read the whole state). */
        int (*link_watch_read)(vport_kernel *k, int fd, vport_link_event_fn fn, void *userdata,
                               vport_error *err);
        /* --- containers' network namespaces --- */
        /* A kernel context whose netlink socket lives in the namespace bound
         * at path (/run/netns/NAME, /proc/PID/ns/net), to call the ops above
         * in it; closed with netns_close. -ENOENT if the namespace is gone. */
        int (*netns_open)(vport_kernel *k, const char *path, vport_kernel **ret, vport_error *err);
        void (*netns_close)(vport_kernel *k);
        /* ret: the end named req->name. -EEXIST if a name is taken. */
        int (*veth_create)(vport_kernel *k, const vport_veth_request *req, vport_link *ret,
                           vport_error *err);
        /* Move ifindex into target's namespace (NULL: stay) and/or rename it
         * (name NULL: keep), in one request. */
        int (*link_move)(vport_kernel *k, int ifindex, vport_kernel *target, const char *name,
                         vport_error *err);
        /* RTM_NEWROUTE in the main table out of ifindex, via gw (NULL: on
         * link). -EEXIST if present. */
        int (*route_add)(vport_kernel *k, int ifindex, const vport_ipaddr *dst, const vport_ipaddr *gw,
                         vport_error *err);
        /* The IPv4 and IPv6 addresses of ifindex (*ret malloc'ed). */
        int (*addr_list)(vport_kernel *k, int ifindex, vport_ipaddr **ret, size_t *ret_n, vport_error *err);
} vport_kernel_ops;

/* The tc priority of the failover redirects: first on the hook, so they see
 * every frame. */
#define VPORT_TC_REDIRECT_PRIO 1

/* The real implementation. */
extern const vport_kernel_ops vport_kernel_ops_real;

/* Open the real kernel context: a netlink socket in the current namespace and
 * the sysfs root from $VPORT_SYSFS_ROOT (default "/sys"). */
int kernel_open(vport_kernel **ret, vport_error *err);
void kernel_close(vport_kernel *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_kernel *, kernel_close);

/* 802.1Qbg/Qbh settings of a kernel context. kernel_open() takes them from
 * the environment: VPORT_LLDPAD_PIDFILE (default /var/run/lldpad.pid),
 * VPORT_VSI_TIMEOUT_MS (10000), VPORT_VSI_INTERVAL_MS (125),
 * VPORT_HOST_UUID (802.1Qbh host UUID; default /etc/machine-id, else DMI's
 * product_uuid). A NULL or 0 argument keeps the current value. Returns 0
 * or -EINVAL. */
int kernel_vsi_config(vport_kernel *k, const char *lldpad_pidfile, int timeout_ms, int interval_ms,
                      vport_error *err);
/* The file descriptor on which lldpad's unsolicited messages arrive (opened
 * on first use; requests name its port, so lldpad answers there). */
int kernel_vsi_event_fd(vport_kernel *k, vport_error *err);

/* Parse one netlink message as lldpad's unsolicited VSI message. Returns 0,
 * -ENOMSG if it is not one (another type, no VSI), -EBADMSG if an attribute
 * fails its policy. Pure: for tests too. */
int vsi_event_parse(const void *msg, size_t len, vport_vsi_event *ret);

/* The sysfs root in use (no trailing slash). */
const char *kernel_sysfs_root(const vport_kernel *k);
