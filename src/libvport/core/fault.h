/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection through the kernel operations table (never preload tricks).
 *
 * fault_ops_wrap() returns a table that forwards every op to an inner table,
 * except the calls a spec selects, which fail with an injected errno or end
 * the process (to test crash recovery from the journal). A spec is a comma
 * separated list of OP[:N]=ACTION:
 *   OP      an op name of struct vport_kernel_ops that the wrapper counts
 *           ("vf_set", "pci_bind", ...: the list in fault.c);
 *           "store_commit": a commit that wrote to the store (explicit or a
 *           single statement's), once fault_ops_watch_store() is called;
 *           "change": either a kernel op that changes something (each op's
 *           flag in fault.c's list: link_set_*, link_delete*, vf_set,
 *           *_create, fdb_add/del, pci_unbind/bind, ...) or a store commit,
 *           counted together in the order they happen. A crash sweep ends
 *           the process after change 1, 2, ... until a run completes: every
 *           state a kill can leave behind, new calls included automatically.
 *           These two take only crash-after.
 *   N       which call of that op (decimal, from 1); "*" or omitted = every call
 *   ACTION  an errno name (EPERM, EBUSY, EADDRNOTAVAIL, ETIMEDOUT, ...: any
 *           strerrorname_np() gives): fail the call with it; "crash":
 *           _exit(99) before the call; "crash-after": make the call, then
 *           _exit(99).
 * Every part is checked: an op the wrapper does not count, a malformed call
 * number, an unknown action or errno name, an empty entry, or an entry that
 * an earlier one always matches first (the first match wins) is refused with
 * -EINVAL naming it, so a spec that could never fire fails the run instead
 * of letting a test pass without its fault.
 * Example: VPORT_FAULT="link_set_mac:1=EPERM,pci_bind:1=crash",
 * VPORT_FAULT="change:7=crash-after". Only the front ends read the
 * environment (vport and vportd refuse to run with a spec this refuses;
 * vport --connect and vport-cni, which make no kernel calls through it,
 * refuse VPORT_FAULT altogether); the library takes the spec as a string.
 *
 * Only a build configured with -Dfault_injection=true compiles the wrapper
 * (and links it into the CLI and unit tests only, never into libvport.so):
 * otherwise these are stubs and fault_ops_new() returns -EOPNOTSUPP. */
#pragma once

#include "config.h"
#include "core/vport.h"
#include "kernel/kernel.h"

typedef struct fault_ops fault_ops;

#if WITH_FAULT_INJECTION
/* Parse spec and build a wrapping table around inner. Returns 0, or -EINVAL
 * (-ERANGE for a call number beyond unsigned, -E2BIG for more than 16
 * entries) with err naming the bad entry and part. *ret_ops points into *ret
 * (freed with it). */
int fault_ops_new(const char *spec, const vport_kernel_ops *inner, fault_ops **ret,
                  const vport_kernel_ops **ret_ops, vport_error *err);
void fault_ops_free(fault_ops *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(fault_ops *, fault_ops_free);

/* Count the commits of ctx's store as "store_commit" and "change" points
 * (f NULL: stop). Call once the context is open. */
void fault_ops_watch_store(fault_ops *f, vport_ctx *ctx);

/* How many times op was called through the wrapper (for tests); "change"
 * and "store_commit" give the points counted so far; UINT_MAX for a name
 * the wrapper does not count (so a test's assertion on it fails). */
unsigned fault_ops_calls(const fault_ops *f, const char *op);
#else
static inline int fault_ops_new(const char *spec, const vport_kernel_ops *inner, fault_ops **ret,
                                const vport_kernel_ops **ret_ops, vport_error *err) {
        *ret = NULL;
        *ret_ops = NULL;
        return vport_error_set(err, -EOPNOTSUPP,
                               "fault injection is not built in (configure with -Dfault_injection=true)");
}
static inline void fault_ops_free(fault_ops *f) {
}
DEFINE_TRIVIAL_CLEANUP_FUNC(fault_ops *, fault_ops_free);
static inline void fault_ops_watch_store(fault_ops *f, vport_ctx *ctx) {
}
static inline unsigned fault_ops_calls(const fault_ops *f, const char *op) {
        return 0;
}
#endif
