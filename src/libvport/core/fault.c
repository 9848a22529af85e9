/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/internal.h"

#define FAULT_MAX_RULES 16
#define FAULT_EVERY     0u
/* The pseudo-ops that name points rather than one op (see fault.h). */
#define FAULT_CHANGE       "change"
#define FAULT_STORE_COMMIT "store_commit"

typedef enum fault_action {
        FAULT_ERRNO,
        FAULT_CRASH,
        FAULT_CRASH_AFTER,
} fault_action;

typedef struct fault_rule {
        char op[32];
        unsigned nth; /* FAULT_EVERY or 1-based call number */
        fault_action action;
        int error; /* negative errno for FAULT_ERRNO */
} fault_rule;

typedef struct op_count {
        char op[32];
        unsigned calls;
} op_count;

struct fault_ops {
        vport_kernel_ops ops;
        const vport_kernel_ops *inner;
        fault_rule rules[FAULT_MAX_RULES];
        size_t n_rules;
        op_count counts[48];
        size_t n_counts;
};

/* The op functions only get the vport_kernel pointer, so the wrapper state is
 * process-wide: one fault table at a time, which is all a front end or a
 * test needs. */
static fault_ops *current;

static const struct {
        const char *name;
        int error;
} errno_table[] = {
        { "EPERM", EPERM },
        { "ENOENT", ENOENT },
        { "EIO", EIO },
        { "EBUSY", EBUSY },
        { "EEXIST", EEXIST },
        { "ENODEV", ENODEV },
        { "EINVAL", EINVAL },
        { "ENOSPC", ENOSPC },
        { "EOPNOTSUPP", EOPNOTSUPP },
        { "EADDRNOTAVAIL", EADDRNOTAVAIL },
        { "ETIMEDOUT", ETIMEDOUT },
        { "ENOMEM", ENOMEM },
        { "EACCES", EACCES },
        { "EAGAIN", EAGAIN },
        { "ENXIO", ENXIO },
        { "EXFULL", EXFULL },
        { "EADDRINUSE", EADDRINUSE },
};

static int errno_from_name(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(errno_table); i++)
                if (streq(errno_table[i].name, s))
                        return -errno_table[i].error;
        return 0;
}

static int rule_parse(const char *entry, fault_rule *ret, vport_error *err) {
        char op[32], when[16] = "*", action[32];
        fault_rule r = { .nth = FAULT_EVERY };

        if (sscanf(entry, "%31[a-z0-9_]:%15[0-9*]=%31s", op, when, action) != 3 &&
            sscanf(entry, "%31[a-z0-9_]=%31s", op, action) != 2)
                return vport_error_set(err, -EINVAL, "fault spec '%s': expected OP[:N]=ACTION", entry);
        snprintf(r.op, sizeof(r.op), "%s", op);
        if (!streq(when, "*")) {
                r.nth = (unsigned) strtoul(when, NULL, 10);
                if (r.nth == 0)
                        return vport_error_set(err, -EINVAL, "fault spec '%s': call numbers start at 1",
                                               entry);
        }
        if (streq(action, "crash"))
                r.action = FAULT_CRASH;
        else if (streq(action, "crash-after"))
                r.action = FAULT_CRASH_AFTER;
        else if ((r.error = errno_from_name(action)) < 0)
                r.action = FAULT_ERRNO;
        else
                return vport_error_set(err, -EINVAL, "fault spec '%s': unknown action '%s'", entry, action);
        /* A commit can only be watched once it happened (SQLite's WAL hook). */
        if ((streq(r.op, FAULT_CHANGE) || streq(r.op, FAULT_STORE_COMMIT)) && r.action != FAULT_CRASH_AFTER)
                return vport_error_set(err, -EINVAL, "fault spec '%s': %s points only take crash-after",
                                       entry, r.op);
        *ret = r;
        return 0;
}

static unsigned count_call(fault_ops *f, const char *op) {
        for (size_t i = 0; i < f->n_counts; i++)
                if (streq(f->counts[i].op, op))
                        return ++f->counts[i].calls;
        if (f->n_counts == ELEMENTSOF(f->counts))
                return 0;
        snprintf(f->counts[f->n_counts].op, sizeof(f->counts[0].op), "%s", op);
        f->counts[f->n_counts].calls = 1;
        f->n_counts++;
        return 1;
}

static const fault_rule *rule_find(const char *op, unsigned n) {
        for (size_t i = 0; i < current->n_rules; i++) {
                const fault_rule *r = &current->rules[i];
                if (streq(r->op, op) && (r->nth == FAULT_EVERY || r->nth == n))
                        return r;
        }
        return NULL;
}

/* Before the real call: returns 0 to go on, < 0 to fail with, or 1 when the
 * process must end right after the call. A call that changes the kernel
 * also counts as a "change" point. */
static int fault_before(const char *op, bool changes, vport_error *err) {
        const fault_rule *r = rule_find(op, count_call(current, op));
        const fault_rule *c = changes ? rule_find(FAULT_CHANGE, count_call(current, FAULT_CHANGE)) : NULL;

        if (!r)
                r = c;
        if (!r)
                return 0;
        if (r->action == FAULT_CRASH)
                _exit(99);
        if (r->action == FAULT_CRASH_AFTER)
                return 1;
        return vport_error_set(err, r->error, "%s: injected fault: %s", op, strerror(-r->error));
}

static int fault_after(int before, int r) {
        if (before == 1)
                _exit(99);
        return r;
}

/* After every store commit that wrote something (the store's hook). */
static void fault_committed(void *userdata) {
        fault_ops *f = userdata;
        const fault_rule *r, *c;

        if (f != current)
                return;
        r = rule_find(FAULT_STORE_COMMIT, count_call(f, FAULT_STORE_COMMIT));
        c = rule_find(FAULT_CHANGE, count_call(f, FAULT_CHANGE));
        if (r || c)
                _exit(99);
}

/* changes: whether the op changes the kernel (a "change" point). */
#define WRAP(op, changes, params, args)                         \
        static int fault_##op params {                          \
                int b = fault_before(#op, changes, err);        \
                if (b < 0)                                      \
                        return b;                               \
                return fault_after(b, current->inner->op args); \
        }

WRAP(link_get, false, (vport_kernel * k, int i, const char *n, vport_link *ret, vport_error *err),
     (k, i, n, ret, err))
WRAP(link_list, false, (vport_kernel * k, vport_link **ret, size_t *ret_n, vport_error *err),
     (k, ret, ret_n, err))
WRAP(link_list_kind, false,
     (vport_kernel * k, const char *kind, vport_link **ret, size_t *ret_n, vport_error *err),
     (k, kind, ret, ret_n, err))
WRAP(link_set_mac, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))
WRAP(link_set_up, true, (vport_kernel * k, int i, bool up, vport_error *err), (k, i, up, err))
WRAP(link_set_mtu, true, (vport_kernel * k, int i, unsigned mtu, vport_error *err), (k, i, mtu, err))
WRAP(link_set_master, true, (vport_kernel * k, int i, int m, vport_error *err), (k, i, m, err))
WRAP(link_set_group, true, (vport_kernel * k, int i, uint32_t g, vport_error *err), (k, i, g, err))
WRAP(link_set_mac_group, true, (vport_kernel * k, int i, const vport_mac *m, uint32_t g, vport_error *err),
     (k, i, m, g, err))
WRAP(link_delete, true, (vport_kernel * k, int i, vport_error *err), (k, i, err))
WRAP(link_delete_group, true, (vport_kernel * k, uint32_t g, vport_error *err), (k, g, err))
WRAP(vf_list, false, (vport_kernel * k, int pf, vport_vf_info **ret, size_t *ret_n, vport_error *err),
     (k, pf, ret, ret_n, err))
WRAP(vf_set, true, (vport_kernel * k, int pf, const vport_vf_info *c, unsigned mask, vport_error *err),
     (k, pf, c, mask, err))
WRAP(macvlan_create, true,
     (vport_kernel * k, const vport_macvlan_request *q, vport_link *ret, vport_error *err), (k, q, ret, err))
WRAP(tap_create, true,
     (vport_kernel * k, const char *n, const vport_mac *m, uint32_t g, vport_link *ret, vport_error *err),
     (k, n, m, g, ret, err))
WRAP(macvtap_wait_dev, false, (vport_kernel * k, int i, int t, char **ret, vport_error *err),
     (k, i, t, ret, err))
WRAP(brport_set_flags, true, (vport_kernel * k, int i, bool l, bool f, vport_error *err), (k, i, l, f, err))
WRAP(brport_set_isolated, true, (vport_kernel * k, int i, bool on, vport_error *err), (k, i, on, err))
WRAP(bridge_create, true,
     (vport_kernel * k, const vport_bridge_request *q, vport_link *ret, vport_error *err), (k, q, ret, err))
WRAP(ipv6_conf_set, true, (vport_kernel * k, const char *n, const char *key, int v, vport_error *err),
     (k, n, key, v, err))
WRAP(addr_add, true, (vport_kernel * k, int i, const vport_ipaddr *a, vport_error *err), (k, i, a, err))
WRAP(fdb_add, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))
WRAP(fdb_del, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))
WRAP(fdb_get, false, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))
WRAP(link_uc_list, false, (vport_kernel * k, int i, vport_mac **ret, size_t *ret_n, vport_error *err),
     (k, i, ret, ret_n, err))
WRAP(pci_info, false, (vport_kernel * k, const vport_pci_addr *a, vport_pci_info *ret, vport_error *err),
     (k, a, ret, err))
WRAP(pci_netdevs, false,
     (vport_kernel * k, const vport_pci_addr *a, char ***ret, size_t *ret_n, vport_error *err),
     (k, a, ret, ret_n, err))
WRAP(netdev_pci, false, (vport_kernel * k, const char *n, vport_pci_addr *ret, vport_error *err),
     (k, n, ret, err))
WRAP(pci_vfs, false,
     (vport_kernel * k, const vport_pci_addr *a, vport_pci_addr **ret, size_t *ret_n, vport_error *err),
     (k, a, ret, ret_n, err))
WRAP(sriov_numvfs, false,
     (vport_kernel * k, const vport_pci_addr *a, int *num, int *total, vport_error *err),
     (k, a, num, total, err))
WRAP(pci_unbind, true, (vport_kernel * k, const vport_pci_addr *a, vport_error *err), (k, a, err))
WRAP(pci_bind, true, (vport_kernel * k, const vport_pci_addr *a, const char *d, vport_error *err),
     (k, a, d, err))
WRAP(pci_wait_netdev, false,
     (vport_kernel * k, const vport_pci_addr *a, int t, char **ret, vport_error *err), (k, a, t, ret, err))
WRAP(vsi_request, true,
     (vport_kernel * k, const vport_vsi *v, vport_vsi_request q, bool *sent, vport_error *err),
     (k, v, q, sent, err))
WRAP(vsi_event_next, false, (vport_kernel * k, vport_vsi_event *ret, vport_error *err), (k, ret, err))
WRAP(tap_open, false, (vport_kernel * k, const char *n, int *ret, vport_error *err), (k, n, ret, err))
WRAP(macvtap_open, false, (vport_kernel * k, int i, int *ret, vport_error *err), (k, i, ret, err))
WRAP(netns_open, false, (vport_kernel * k, const char *p, vport_kernel **ret, vport_error *err),
     (k, p, ret, err))
WRAP(veth_create, true, (vport_kernel * k, const vport_veth_request *q, vport_link *ret, vport_error *err),
     (k, q, ret, err))
WRAP(link_move, true, (vport_kernel * k, int i, vport_kernel *t, const char *n, vport_error *err),
     (k, i, t, n, err))
WRAP(route_add, true,
     (vport_kernel * k, int i, const vport_ipaddr *d, const vport_ipaddr *g, vport_error *err),
     (k, i, d, g, err))
WRAP(addr_list, false, (vport_kernel * k, int i, vport_ipaddr **ret, size_t *ret_n, vport_error *err),
     (k, i, ret, ret_n, err))

static void fault_netns_close(vport_kernel *k) {
        current->inner->netns_close(k);
}

static const vport_kernel_ops fault_table = {
        .link_get = fault_link_get,
        .link_list = fault_link_list,
        .link_list_kind = fault_link_list_kind,
        .link_set_mac = fault_link_set_mac,
        .link_set_up = fault_link_set_up,
        .link_set_mtu = fault_link_set_mtu,
        .link_set_master = fault_link_set_master,
        .link_set_group = fault_link_set_group,
        .link_set_mac_group = fault_link_set_mac_group,
        .link_delete = fault_link_delete,
        .link_delete_group = fault_link_delete_group,
        .vf_list = fault_vf_list,
        .vf_set = fault_vf_set,
        .macvlan_create = fault_macvlan_create,
        .tap_create = fault_tap_create,
        .macvtap_wait_dev = fault_macvtap_wait_dev,
        .brport_set_flags = fault_brport_set_flags,
        .brport_set_isolated = fault_brport_set_isolated,
        .bridge_create = fault_bridge_create,
        .addr_add = fault_addr_add,
        .ipv6_conf_set = fault_ipv6_conf_set,
        .fdb_add = fault_fdb_add,
        .fdb_del = fault_fdb_del,
        .fdb_get = fault_fdb_get,
        .link_uc_list = fault_link_uc_list,
        .pci_info = fault_pci_info,
        .pci_netdevs = fault_pci_netdevs,
        .netdev_pci = fault_netdev_pci,
        .pci_vfs = fault_pci_vfs,
        .sriov_numvfs = fault_sriov_numvfs,
        .pci_unbind = fault_pci_unbind,
        .pci_bind = fault_pci_bind,
        .pci_wait_netdev = fault_pci_wait_netdev,
        .vsi_request = fault_vsi_request,
        .vsi_event_next = fault_vsi_event_next,
        .tap_open = fault_tap_open,
        .macvtap_open = fault_macvtap_open,
        .netns_open = fault_netns_open,
        .netns_close = fault_netns_close,
        .veth_create = fault_veth_create,
        .link_move = fault_link_move,
        .route_add = fault_route_add,
        .addr_list = fault_addr_list,
};

int fault_ops_new(const char *spec, const vport_kernel_ops *inner, fault_ops **ret,
                  const vport_kernel_ops **ret_ops, vport_error *err) {
        _cleanup_free_ char *copy = NULL;
        _cleanup_(fault_ops_freep) fault_ops *f = NULL;
        char *save = NULL;
        int r;

        assert_return(spec && inner && ret && ret_ops, -EINVAL);
        if (current)
                return vport_error_set(err, -EBUSY, "a fault table is already installed");
        f = calloc(1, sizeof(*f));
        copy = strdup(spec);
        if (!f || !copy)
                return -ENOMEM;
        for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                if (f->n_rules == FAULT_MAX_RULES)
                        return vport_error_set(err, -E2BIG, "fault spec: more than %d entries",
                                               FAULT_MAX_RULES);
                r = rule_parse(e, &f->rules[f->n_rules++], err);
                if (r < 0)
                        return r;
        }
        f->ops = fault_table;
        f->inner = inner;
        current = f;
        *ret_ops = &f->ops;
        *ret = TAKE_PTR(f);
        return 0;
}

void fault_ops_free(fault_ops *f) {
        if (!f)
                return;
        if (current == f)
                current = NULL;
        free(f);
}

void fault_ops_watch_store(fault_ops *f, vport_ctx *ctx) {
        store_set_commit_hook(ctx->store, f ? fault_committed : NULL, f);
}

unsigned fault_ops_calls(const fault_ops *f, const char *op) {
        for (size_t i = 0; f && i < f->n_counts; i++)
                if (streq(f->counts[i].op, op))
                        return f->counts[i].calls;
        return 0;
}
