/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/internal.h"

#define FAULT_MAX_RULES 16
#define FAULT_EVERY     0u

/* Every op the wrapper counts: its name, whether it changes the kernel (a
 * "change" point), its parameters and the arguments it passes on. The
 * wrappers, the table and the names a spec may give all come from this one
 * list, so a spec can only name an op whose calls are counted: a misspelt or
 * renamed op is refused instead of never firing. */
#define FAULT_OPS(X)                                                                                        \
        X(link_get, false, (vport_kernel * k, int i, const char *n, vport_link *ret, vport_error *err),     \
          (k, i, n, ret, err))                                                                              \
        X(link_list, false, (vport_kernel * k, vport_link * *ret, size_t * ret_n, vport_error * err),       \
          (k, ret, ret_n, err))                                                                             \
        X(link_list_kind, false,                                                                            \
          (vport_kernel * k, const char *kind, vport_link **ret, size_t *ret_n, vport_error *err),          \
          (k, kind, ret, ret_n, err))                                                                       \
        X(link_set_mac, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err),              \
          (k, i, m, err))                                                                                   \
        X(link_set_up, true, (vport_kernel * k, int i, bool up, vport_error *err), (k, i, up, err))         \
        X(link_set_mtu, true, (vport_kernel * k, int i, unsigned mtu, vport_error *err), (k, i, mtu, err))  \
        X(link_set_master, true, (vport_kernel * k, int i, int m, vport_error *err), (k, i, m, err))        \
        X(link_set_group, true, (vport_kernel * k, int i, uint32_t g, vport_error *err), (k, i, g, err))    \
        X(link_set_mac_group, true,                                                                         \
          (vport_kernel * k, int i, const vport_mac *m, uint32_t g, vport_error *err), (k, i, m, g, err))   \
        X(link_delete, true, (vport_kernel * k, int i, vport_error *err), (k, i, err))                      \
        X(link_delete_group, true, (vport_kernel * k, uint32_t g, vport_error * err), (k, g, err))          \
        X(vf_list, false, (vport_kernel * k, int pf, vport_vf_info **ret, size_t *ret_n, vport_error *err), \
          (k, pf, ret, ret_n, err))                                                                         \
        X(vf_set, true,                                                                                     \
          (vport_kernel * k, int pf, const vport_vf_info *c, unsigned mask, vport_error *err),              \
          (k, pf, c, mask, err))                                                                            \
        X(macvlan_create, true,                                                                             \
          (vport_kernel * k, const vport_macvlan_request *q, vport_link *ret, vport_error *err),            \
          (k, q, ret, err))                                                                                 \
        X(tap_create, true,                                                                                 \
          (vport_kernel * k, const char *n, const vport_mac *m, uint32_t g, vport_link *ret,                \
           vport_error *err),                                                                               \
          (k, n, m, g, ret, err))                                                                           \
        X(macvtap_wait_dev, false, (vport_kernel * k, int i, int t, char **ret, vport_error *err),          \
          (k, i, t, ret, err))                                                                              \
        X(brport_set_flags, true, (vport_kernel * k, int i, bool l, bool f, vport_error *err),              \
          (k, i, l, f, err))                                                                                \
        X(brport_set_isolated, true, (vport_kernel * k, int i, bool on, vport_error *err), (k, i, on, err)) \
        X(bridge_create, true,                                                                              \
          (vport_kernel * k, const vport_bridge_request *q, vport_link *ret, vport_error *err),             \
          (k, q, ret, err))                                                                                 \
        X(ipv6_conf_set, true, (vport_kernel * k, const char *n, const char *key, int v, vport_error *err), \
          (k, n, key, v, err))                                                                              \
        X(addr_add, true, (vport_kernel * k, int i, const vport_ipaddr *a, vport_error *err),               \
          (k, i, a, err))                                                                                   \
        X(fdb_add, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))   \
        X(fdb_del, true, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))   \
        X(fdb_get, false, (vport_kernel * k, int i, const vport_mac *m, vport_error *err), (k, i, m, err))  \
        X(link_uc_list, false, (vport_kernel * k, int i, vport_mac **ret, size_t *ret_n, vport_error *err), \
          (k, i, ret, ret_n, err))                                                                          \
        X(pci_info, false,                                                                                  \
          (vport_kernel * k, const vport_pci_addr *a, vport_pci_info *ret, vport_error *err),               \
          (k, a, ret, err))                                                                                 \
        X(pci_netdevs, false,                                                                               \
          (vport_kernel * k, const vport_pci_addr *a, char ***ret, size_t *ret_n, vport_error *err),        \
          (k, a, ret, ret_n, err))                                                                          \
        X(netdev_pci, false, (vport_kernel * k, const char *n, vport_pci_addr *ret, vport_error *err),      \
          (k, n, ret, err))                                                                                 \
        X(pci_vfs, false,                                                                                   \
          (vport_kernel * k, const vport_pci_addr *a, vport_pci_addr **ret, size_t *ret_n,                  \
           vport_error *err),                                                                               \
          (k, a, ret, ret_n, err))                                                                          \
        X(sriov_numvfs, false,                                                                              \
          (vport_kernel * k, const vport_pci_addr *a, int *num, int *total, vport_error *err),              \
          (k, a, num, total, err))                                                                          \
        X(pci_unbind, true, (vport_kernel * k, const vport_pci_addr *a, vport_error *err), (k, a, err))     \
        X(pci_bind, true, (vport_kernel * k, const vport_pci_addr *a, const char *d, vport_error *err),     \
          (k, a, d, err))                                                                                   \
        X(pci_wait_netdev, false,                                                                           \
          (vport_kernel * k, const vport_pci_addr *a, int t, char **ret, vport_error *err),                 \
          (k, a, t, ret, err))                                                                              \
        X(vsi_request, true,                                                                                \
          (vport_kernel * k, const vport_vsi *v, vport_vsi_request q, bool *sent, vport_error *err),        \
          (k, v, q, sent, err))                                                                             \
        X(vsi_event_next, false, (vport_kernel * k, vport_vsi_event * ret, vport_error * err),              \
          (k, ret, err))                                                                                    \
        X(tap_open, false, (vport_kernel * k, const char *n, int *ret, vport_error *err), (k, n, ret, err)) \
        X(macvtap_open, false, (vport_kernel * k, int i, int *ret, vport_error *err), (k, i, ret, err))     \
        X(netns_open, false, (vport_kernel * k, const char *p, vport_kernel **ret, vport_error *err),       \
          (k, p, ret, err))                                                                                 \
        X(veth_create, true,                                                                                \
          (vport_kernel * k, const vport_veth_request *q, vport_link *ret, vport_error *err),               \
          (k, q, ret, err))                                                                                 \
        X(link_move, true, (vport_kernel * k, int i, vport_kernel *t, const char *n, vport_error *err),     \
          (k, i, t, n, err))                                                                                \
        X(route_add, true,                                                                                  \
          (vport_kernel * k, int i, const vport_ipaddr *d, const vport_ipaddr *g, vport_error *err),        \
          (k, i, d, g, err))                                                                                \
        X(addr_list, false, (vport_kernel * k, int i, vport_ipaddr **ret, size_t *ret_n, vport_error *err), \
          (k, i, ret, ret_n, err))

#define FAULT_POINT_ENUM(op, ...) FAULT_POINT_##op,
#define FAULT_POINT_NAME(op, ...) [FAULT_POINT_##op] = #op,

/* The ops, then the pseudo-ops that name points rather than one op (see
 * fault.h). */
typedef enum fault_point {
        FAULT_OPS(FAULT_POINT_ENUM) FAULT_POINT_CHANGE,
        FAULT_POINT_STORE_COMMIT,
        N_FAULT_POINTS,
} fault_point;

static const char *const point_names[N_FAULT_POINTS] = {
        FAULT_OPS(FAULT_POINT_NAME)[FAULT_POINT_CHANGE] = "change",
        [FAULT_POINT_STORE_COMMIT] = "store_commit",
};

typedef enum fault_action {
        FAULT_ERRNO,
        FAULT_CRASH,
        FAULT_CRASH_AFTER,
} fault_action;

typedef struct fault_rule {
        fault_point point;
        unsigned nth; /* FAULT_EVERY or 1-based call number */
        fault_action action;
        int error;        /* negative errno for FAULT_ERRNO */
        const char *text; /* the entry as given (in fault_ops.spec), for messages */
} fault_rule;

struct fault_ops {
        vport_kernel_ops ops;
        const vport_kernel_ops *inner;
        fault_rule rules[FAULT_MAX_RULES];
        size_t n_rules;
        unsigned calls[N_FAULT_POINTS];
        char *spec; /* a copy, cut into the rules' texts */
};

/* The op functions only get the vport_kernel pointer, so the wrapper state is
 * process-wide: one fault table at a time, which is all a front end or a
 * test needs. */
static fault_ops *current;

static int point_from_name(const char *s) {
        return string_table_lookup(point_names, ELEMENTSOF(point_names), s);
}

/* Any errno the C library has a name for (strerrorname_np(), aliases such as
 * ENOTSUP excluded): a test may want the one a driver really returns.
 * Returns the negative errno, or 0 if s names none. */
static int errno_from_name(const char *s) {
        for (int e = 1; e < 4096; e++) {
                const char *name = strerrorname_np(e);
                if (name && streq(name, s))
                        return -e;
        }
        return 0;
}

/* N of OP:N: "*" (every call) or a call number, decimal from 1. */
static int nth_parse(const char *entry, const char *s, unsigned *ret, vport_error *err) {
        unsigned long v;

        if (streq(s, "*")) {
                *ret = FAULT_EVERY;
                return 0;
        }
        if (!*s || strspn(s, "0123456789") != strlen(s))
                return vport_error_set(err, -EINVAL,
                                       "fault spec entry '%s': call number '%s' is not 1, 2, ... or *",
                                       entry, s);
        errno = 0;
        v = strtoul(s, NULL, 10);
        if (v == 0)
                return vport_error_set(err, -EINVAL,
                                       "fault spec entry '%s': call number '%s': calls count from 1", entry,
                                       s);
        if (errno == ERANGE || v > UINT_MAX)
                return vport_error_set(err, -ERANGE, "fault spec entry '%s': call number '%s' is too large",
                                       entry, s);
        *ret = (unsigned) v;
        return 0;
}

static int action_parse(const char *entry, const char *s, fault_rule *r, vport_error *err) {
        if (streq(s, "crash"))
                r->action = FAULT_CRASH;
        else if (streq(s, "crash-after"))
                r->action = FAULT_CRASH_AFTER;
        else if ((r->error = errno_from_name(s)) < 0)
                r->action = FAULT_ERRNO;
        else if (s[0] == 'E')
                return vport_error_set(err, -EINVAL, "fault spec entry '%s': unknown errno name '%s'", entry,
                                       s);
        else
                return vport_error_set(err, -EINVAL,
                                       "fault spec entry '%s': unknown action '%s' (an errno name such as "
                                       "EPERM, crash or crash-after)",
                                       entry, s);
        return 0;
}

/* OP[:N]=ACTION, every part checked; text stays as given (messages name it). */
static int rule_parse(const char *text, fault_rule *ret, vport_error *err) {
        _cleanup_free_ char *entry = strdup(text);
        fault_rule r = { .nth = FAULT_EVERY, .text = text };
        char *action, *nth;
        int p;

        if (!entry)
                return -ENOMEM;
        if (!*entry)
                return vport_error_set(err, -EINVAL,
                                       "fault spec: an empty entry (two commas, or one at an end)");
        action = strchr(entry, '=');
        if (!action)
                return vport_error_set(err, -EINVAL, "fault spec entry '%s': expected OP[:N]=ACTION", text);
        *action++ = '\0';
        nth = strchr(entry, ':');
        if (nth)
                *nth++ = '\0';
        if ((p = point_from_name(entry)) < 0)
                return vport_error_set(
                        err, -EINVAL,
                        "fault spec entry '%s': unknown op '%s' (an op of the kernel ops table, "
                        "change or store_commit)",
                        text, entry);
        r.point = (fault_point) p;
        if ((nth && (p = nth_parse(text, nth, &r.nth, err)) < 0) ||
            (p = action_parse(text, action, &r, err)) < 0)
                return p;
        /* A commit can only be watched once it happened (SQLite's WAL hook). */
        if (r.point >= FAULT_POINT_CHANGE && r.action != FAULT_CRASH_AFTER)
                return vport_error_set(err, -EINVAL,
                                       "fault spec entry '%s': %s points only take crash-after", text,
                                       point_names[r.point]);
        *ret = r;
        return 0;
}

/* The first rule that matches a call wins: a later rule that an earlier one
 * always matches before it would never fire. */
static int rule_check_reachable(const fault_ops *f, const fault_rule *r, vport_error *err) {
        for (size_t i = 0; i < f->n_rules; i++) {
                const fault_rule *q = &f->rules[i];
                if (q->point == r->point && (q->nth == FAULT_EVERY || q->nth == r->nth))
                        return vport_error_set(
                                err, -EINVAL,
                                "fault spec entry '%s' would never fire: '%s' before it takes %s", r->text,
                                q->text, q->nth == FAULT_EVERY ? "every call" : "that call");
        }
        return 0;
}

static unsigned count_call(fault_ops *f, fault_point p) {
        return ++f->calls[p];
}

static const fault_rule *rule_find(fault_point p, unsigned n) {
        for (size_t i = 0; i < current->n_rules; i++) {
                const fault_rule *r = &current->rules[i];
                if (r->point == p && (r->nth == FAULT_EVERY || r->nth == n))
                        return r;
        }
        return NULL;
}

/* Before the real call: returns 0 to go on, < 0 to fail with, or 1 when the
 * process must end right after the call. A call that changes the kernel
 * also counts as a "change" point. */
static int fault_before(fault_point p, bool changes, vport_error *err) {
        const fault_rule *r = rule_find(p, count_call(current, p));
        const fault_rule *c =
                changes ? rule_find(FAULT_POINT_CHANGE, count_call(current, FAULT_POINT_CHANGE)) : NULL;

        if (!r)
                r = c;
        if (!r)
                return 0;
        if (r->action == FAULT_CRASH)
                _exit(99);
        if (r->action == FAULT_CRASH_AFTER)
                return 1;
        return vport_error_set(err, r->error, "%s: injected fault: %s", point_names[p], strerror(-r->error));
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
        r = rule_find(FAULT_POINT_STORE_COMMIT, count_call(f, FAULT_POINT_STORE_COMMIT));
        c = rule_find(FAULT_POINT_CHANGE, count_call(f, FAULT_POINT_CHANGE));
        if (r || c)
                _exit(99);
}

#define FAULT_WRAP(op, changes, params, args)                         \
        static int fault_##op params {                                \
                int b = fault_before(FAULT_POINT_##op, changes, err); \
                if (b < 0)                                            \
                        return b;                                     \
                return fault_after(b, current->inner->op args);       \
        }
#define FAULT_ENTRY(op, ...) .op = fault_##op,

FAULT_OPS(FAULT_WRAP)

static void fault_netns_close(vport_kernel *k) {
        current->inner->netns_close(k);
}

static const vport_kernel_ops fault_table = {
        FAULT_OPS(FAULT_ENTRY).netns_close = fault_netns_close,
};

/* Parse every entry of f->spec into f->rules. */
static int rules_parse(fault_ops *f, vport_error *err) {
        char *save = f->spec, *e;
        int r;

        while ((e = strsep(&save, ","))) {
                if (f->n_rules == FAULT_MAX_RULES)
                        return vport_error_set(err, -E2BIG, "fault spec: more than %d entries",
                                               FAULT_MAX_RULES);
                if ((r = rule_parse(e, &f->rules[f->n_rules], err)) < 0 ||
                    (r = rule_check_reachable(f, &f->rules[f->n_rules], err)) < 0)
                        return r;
                f->n_rules++;
        }
        return 0;
}

int fault_ops_new(const char *spec, const vport_kernel_ops *inner, fault_ops **ret,
                  const vport_kernel_ops **ret_ops, vport_error *err) {
        _cleanup_(fault_ops_freep) fault_ops *f = NULL;
        int r;

        assert_return(spec && inner && ret && ret_ops, -EINVAL);
        if (current)
                return vport_error_set(err, -EBUSY, "a fault table is already installed");
        f = calloc(1, sizeof(*f));
        if (!f || !(f->spec = strdup(spec)))
                return -ENOMEM;
        if ((r = rules_parse(f, err)) < 0)
                return r;
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
        free(f->spec);
        free(f);
}

void fault_ops_watch_store(fault_ops *f, vport_ctx *ctx) {
        store_set_commit_hook(ctx->store, f ? fault_committed : NULL, f);
}

unsigned fault_ops_calls(const fault_ops *f, const char *op) {
        int p = point_from_name(op);

        /* An op the wrapper does not count: no count a test expects, so its
         * assertion fails instead of reading 0 for a misspelt name. */
        if (p < 0)
                return UINT_MAX;
        return f ? f->calls[p] : 0;
}
