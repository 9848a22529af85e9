/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core tests share: a throwaway state directory, a context over a
 * fake (or fault-wrapped fake) kernel table, networks defined and started,
 * and the counts tests assert on. Every helper fails the test on an error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/fault.h"
#include "core/internal.h"

#define TU_DIR_MAX 64

/* /tmp/NAME.XXXXXX, made; dir holds TU_DIR_MAX bytes. */
void tu_state_dir_new(char *dir, const char *name);
/* The directory and everything below it. */
void tu_state_dir_remove(const char *dir);

vport_ctx *tu_ctx_open(const char *dir, const vport_kernel_ops *ops);
/* The network xml (named name) defined and started. */
void tu_net_up(vport_ctx *ctx, const char *xml, const char *name);

/* A test that injects faults calls this first, before it makes anything:
 * in a build without the fault wrapper it is skipped, and cmocka's skip
 * leaves the test at once (what the test made by then would leak). */
void tu_skip_without_faults(void);
/* *ctx closed and reopened on dir through a fault table with spec around
 * base (*fault replaced). Fails the test (never skips) in a build without
 * the wrapper: the test should have called tu_skip_without_faults() at its
 * top. */
void tu_ctx_reopen_faulty(vport_ctx **ctx, const char *dir, const vport_kernel_ops *base, const char *spec,
                          fault_ops **fault);

size_t tu_n_ports(vport_ctx *ctx);

/* vf-list's JSON: the typed list through its one builder. Returns 0 or
 * -errno (not asserted: tests check refusals). */
int tu_vf_list(vport_ctx *ctx, const char *pf, json_object **ret, vport_error *err);
/* Journal entries of the port, or of every port (NULL). */
size_t tu_n_journal(vport_ctx *ctx, const vport_port *port);

/* Runs fn(ctx, arg) in a child process, on a context over dir through a
 * fault table with spec around base, and asserts that the fault ended the
 * child (a crash spec: the wrapper's _exit(99)); the fake's shared memory
 * keeps what the child changed. Fails the test in a build without the
 * wrapper (see tu_skip_without_faults()). */
void tu_crash_child(const char *dir, const vport_kernel_ops *base, const char *spec,
                    void (*fn)(vport_ctx *ctx, const void *arg), const void *arg);
/* The same for a sweep: true if the fault ended the child, false if fn
 * returned (the fault's point was never reached). */
bool tu_crash_child_at(const char *dir, const vport_kernel_ops *base, const char *spec,
                       void (*fn)(vport_ctx *ctx, const void *arg), const void *arg);
/* Step k of a crash sweep: fn(ctx, arg) in a child through
 * "change:k=crash-after", where the store's commits count as change points
 * too (every kernel call that changes something and every commit, in
 * order). Returns the child's exit status: 99 killed, 0 fn returned >= 0,
 * 4 fn failed. */
int tu_sweep_child(const char *dir, const vport_kernel_ops *base, unsigned k,
                   int (*fn)(vport_ctx *ctx, const void *arg), const void *arg);

/* Every distinct statement the store runs between tu_sql_watch() and
 * tu_sql_assert_indexed() (taken from the store as it runs them, so a
 * statement added to a step later is checked too), planned with EXPLAIN
 * QUERY PLAN: the test fails on a plan that scans a whole table (or a
 * whole index) of ports or journal entries; only the networks table, one
 * row a network, may be read whole. A per-port step must cost what it
 * looks at, not the host's size (issue 13). Returns how many distinct
 * statements were checked. */
void tu_sql_watch(vport_ctx *ctx);
size_t tu_sql_assert_indexed(vport_ctx *ctx);

/* How many times the store runs a statement whose SQL holds needle between
 * tu_sql_count() and tu_sql_counted() (every run counts, as SQLite's trace
 * reports it: a statement's first step). Not with tu_sql_watch() at once:
 * each takes the connection's trace hook. */
void tu_sql_count(vport_ctx *ctx, const char *needle);
size_t tu_sql_counted(vport_ctx *ctx);
