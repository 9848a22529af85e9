/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private to the kernel layer: the context behind vport_kernel and the
 * helpers its files share. Nothing above kernel/ includes this. */
#pragma once

#include <limits.h>
#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "kernel/kernel.h"

struct rtnl_link;
void rtnl_link_put(struct rtnl_link *);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free);

/* How long pci_bind() waits for the driver symlink to name the new driver. */
#define KERNEL_BIND_TIMEOUT_MS 5000
/* Poll step for every bounded wait on sysfs or /dev. */
#define KERNEL_POLL_STEP_MS 50
/* The receive buffer a request's replies are read into (it grows for a
 * larger one: nl-error.c); the kernel sizes a dump's datagrams after it. */
#define KERNEL_NL_BUF_SIZE 32768

struct vport_kernel {
        struct nl_sock *nl;
        unsigned char *rbuf; /* replies of nl's requests: KERNEL_NL_BUF_SIZE or larger */
        size_t rbuf_size;
        struct nl_sock *vdp; /* to lldpad; opened on first use */
        char lldpad_pidfile[PATH_MAX];
        int vsi_timeout_ms, vsi_interval_ms;
        bool has_host_uuid;
        vport_uuid host_uuid;
        /* unsolicited messages read while waiting for a reply */
        vport_vsi_event pending[8];
        size_t n_pending;
        char sysfs_root[PATH_MAX];
        int bind_timeout_ms;
        int ns_fd; /* the namespace the socket lives in; -1: not opened yet (the caller's) */
};

/* Called for every reply message of a request (not for the ack). Returns 0
 * or a negative errno, which ends the transaction with that error. */
typedef int (*knl_reply_fn)(struct nlmsghdr *h, void *userdata);

/* Send msg (completed with sequence number and NLM_F_ACK), hand every reply
 * to fn (may be NULL) and wait for the ack, the error or NLMSG_DONE. On
 * failure fills err with "<context>: <strerror> (kernel: <extack>)", the
 * context formatted from fmt. Returns 0 or the kernel's negative errno. */
int knl_call(vport_kernel *k, struct nl_msg *msg, knl_reply_fn fn, void *userdata, vport_error *err,
             const char *fmt, ...) _printf_(6, 7);

/* knl_call() for a request about one link that expects only an ack: the
 * context is "<kernel_ifdesc(ifindex)>: <fmt...>", the description looked up
 * only on failure (the hot path stays at one sendmsg + one recvmsg). */
int knl_call_if(vport_kernel *k, struct nl_msg *msg, vport_error *err, int ifindex, const char *fmt, ...)
        _printf_(5, 6);

/* A new request with a zeroed family header of hdrlen bytes; NULL on OOM. */
struct nl_msg *knl_request(int type, int flags, const void *hdr, size_t hdrlen);

/* "eth0 (ifindex 3)", or "ifindex 3" if the index has no name any more.
 * Only for messages; returns buf. */
char *kernel_ifdesc(int ifindex, char buf[static 48]);

/* Parse one RTM_NEWLINK message into ret. Returns 0 or -EBADMSG if an
 * attribute fails its type or length check. */
int knl_link_parse(struct nlmsghdr *h, vport_link *ret);

/* The VFs in one RTM_NEWLINK message (none if it has no IFLA_VFINFO_LIST).
 * *ret malloc'ed. Returns 0, -EBADMSG on a malformed attribute, -ENOMEM. */
int knl_vf_parse(struct nlmsghdr *h, vport_vf_info **ret, size_t *ret_n);

/* The driver bound to the PCI device of netdev ifname ("" if none, or not
 * PCI) into buf; returns buf. */
char *sysfs_netdev_driver(vport_kernel *k, const char *ifname, char *buf, size_t size);

/* Connect k's netlink socket (route, extack on) in the thread's namespace. */
int kernel_nl_connect(vport_kernel *k, vport_error *err);

/* A device name, or a template with one trailing "%d" the kernel replaces
 * by the first free number (dev_alloc_name()). Returns 0 or -EINVAL. */
int kernel_ifname_or_template_check(const char *name, vport_error *err);
bool kernel_ifname_is_template(const char *name);

/* A number n in 0..max for which taken(n, userdata) is false, found with
 * O(log n) calls: 0 if it is free, else by doubling up to a free number
 * and halving back to the first free one after a taken one. Where the
 * numbers in use are 0..k-1, that is k, the kernel's own pick; where
 * there are holes, a number next to a taken one, not always the lowest.
 * Returns the number, or -ENOSPC if none was found. */
int kernel_free_number(unsigned max, bool (*taken)(unsigned n, void *userdata), void *userdata);

/* The name to create for name: name itself if it is no template; for a
 * template ("vnet%d"), the template with a number no device of k's
 * namespace has right now (see kernel.c), or the template itself if none
 * was found. Only a guess: another process may take the name before the
 * create, which then fails with EEXIST and must be retried with the
 * template (the kernel's pick, race-free). Writes ret. */
void kernel_ifname_guess(vport_kernel *k, const char *name, char ret[static VPORT_IFNAMSIZ]);

/* Sleep ms milliseconds (for bounded polls). */
void kernel_sleep_ms(int ms);

/* The ops, one file per concern. */
int knl_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err);
int knl_link_list(vport_kernel *k, vport_link **ret, size_t *ret_n, vport_error *err);
int knl_link_list_kind(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n, vport_error *err);
int knl_link_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err);
int knl_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err);
int knl_link_set_mtu(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err);
int knl_link_set_master(vport_kernel *k, int ifindex, int master_ifindex, vport_error *err);
int knl_link_set_group(vport_kernel *k, int ifindex, uint32_t group, vport_error *err);
/* MAC and netdev group (0 included) in one RTM_SETLINK (one RTNL round
 * instead of two on the prepare path); the kernel applies the MAC first
 * and stops there if it refuses it. */
int knl_link_set_mac_group(vport_kernel *k, int ifindex, const vport_mac *mac, uint32_t group,
                           vport_error *err);
int knl_link_delete(vport_kernel *k, int ifindex, vport_error *err);
int knl_link_delete_group(vport_kernel *k, uint32_t group, vport_error *err);

int knl_vf_list(vport_kernel *k, int pf_ifindex, vport_vf_info **ret, size_t *ret_n, vport_error *err);
int knl_vf_set(vport_kernel *k, int pf_ifindex, const vport_vf_info *cfg, unsigned mask, vport_error *err);

int macvlan_create(vport_kernel *k, const vport_macvlan_request *req, vport_link *ret, vport_error *err);
int macvtap_wait_dev(vport_kernel *k, int ifindex, int timeout_ms, char **ret_path, vport_error *err);
int tap_create(vport_kernel *k, const char *name, const vport_mac *mac, uint32_t group, vport_link *ret,
               vport_error *err);

int knl_brport_set_flags(vport_kernel *k, int ifindex, bool learning, bool unicast_flood, vport_error *err);
int knl_brport_set_isolated(vport_kernel *k, int ifindex, bool isolated, vport_error *err);
int knl_bridge_create(vport_kernel *k, const vport_bridge_request *req, vport_link *ret, vport_error *err);
int knl_addr_add(vport_kernel *k, int ifindex, const vport_ipaddr *addr, vport_error *err);
int kernel_ipv6_conf_set(vport_kernel *k, const char *ifname, const char *key, int value, vport_error *err);
int knl_fdb_add(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
int knl_fdb_del(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
int knl_fdb_get(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err);
int knl_link_uc_list(vport_kernel *k, int ifindex, vport_mac **ret, size_t *ret_n, vport_error *err);

int vsi_request(vport_kernel *k, const vport_vsi *vsi, vport_vsi_request req, bool *ret_sent,
                vport_error *err);
int vsi_event_next(vport_kernel *k, vport_vsi_event *ret, vport_error *err);
/* The environment's settings (kernel_open). */
int vsi_config_init(vport_kernel *k, vport_error *err);
void vsi_close(vport_kernel *k);

/* Build the RTM_SETLINK of a port profile request (for tests: its bytes are
 * checked against linux/if_link.h). Returns NULL on OOM. */
struct nl_msg *vsi_setlink_msg(const vport_vsi *vsi, vport_vsi_request req, const vport_uuid *host_uuid);
/* Find vsi's entry in an RTM_GETLINK answer (lldpad's NLMSG_DONE or the
 * kernel's RTM_NEWLINK): 1 with *ret_has_response / *ret_response, 0 if it
 * lists no such VSI, -EBADMSG on an attribute failing its policy. */
int vsi_status_parse(const struct nlmsghdr *h, const vport_vsi *vsi, bool *ret_has_response,
                     uint32_t *ret_response);
int kernel_netns_open(vport_kernel *k, const char *path, vport_kernel **ret, vport_error *err);
void kernel_netns_close(vport_kernel *k);
int knl_veth_create(vport_kernel *k, const vport_veth_request *req, vport_link *ret, vport_error *err);
int knl_link_move(vport_kernel *k, int ifindex, vport_kernel *target, const char *name, vport_error *err);
int knl_route_add(vport_kernel *k, int ifindex, const vport_ipaddr *dst, const vport_ipaddr *gw,
                  vport_error *err);
int knl_addr_list(vport_kernel *k, int ifindex, vport_ipaddr **ret, size_t *ret_n, vport_error *err);

int sysfs_pci_info(vport_kernel *k, const vport_pci_addr *addr, vport_pci_info *ret, vport_error *err);
int sysfs_pci_netdevs(vport_kernel *k, const vport_pci_addr *addr, char ***ret, size_t *ret_n,
                      vport_error *err);
int sysfs_netdev_pci(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err);
int sysfs_pci_vfs(vport_kernel *k, const vport_pci_addr *pf, vport_pci_addr **ret, size_t *ret_n,
                  vport_error *err);
int sysfs_sriov_numvfs(vport_kernel *k, const vport_pci_addr *pf, int *ret_num, int *ret_total,
                       vport_error *err);
int sysfs_pci_unbind(vport_kernel *k, const vport_pci_addr *addr, vport_error *err);
int sysfs_pci_bind(vport_kernel *k, const vport_pci_addr *addr, const char *driver, vport_error *err);
int sysfs_pci_wait_netdev(vport_kernel *k, const vport_pci_addr *addr, int timeout_ms, char **ret_name,
                          vport_error *err);

int knl_tc_clsact_add(vport_kernel *k, int ifindex, vport_error *err);
int knl_tc_clsact_del(vport_kernel *k, int ifindex, vport_error *err);
int knl_tc_redirect_add(vport_kernel *k, int ifindex, bool ingress, int to_ifindex, bool to_ingress,
                        vport_error *err);
int knl_tc_redirect_del(vport_kernel *k, int ifindex, bool ingress, vport_error *err);
int knl_link_set_alias(vport_kernel *k, int ifindex, const char *alias, vport_error *err);
int knl_link_set_addr_gen_mode(vport_kernel *k, int ifindex, uint8_t mode, vport_error *err);
int knl_addr_count(vport_kernel *k, int ifindex, size_t *ret_v4, size_t *ret_v6, vport_error *err);
int knl_link_watch_open(vport_kernel *k, int *ret_fd, vport_error *err);
int knl_link_watch_read(vport_kernel *k, int fd, vport_link_event_fn fn, void *userdata, vport_error *err);
int tap_attach(vport_kernel *k, const char *name, int *ret_fd, vport_error *err);
int macvtap_open(vport_kernel *k, int ifindex, int *ret_fd, vport_error *err);
