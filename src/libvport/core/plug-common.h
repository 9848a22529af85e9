/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the tap and macvtap drivers share: the journal record of the device
 * a port made, and release (single or batched) of those devices. */
#pragma once

#include "core/internal.h"

#define PLUG_KEY_MAX 64

/* The device a port made, as journaled under its key: the name is recorded
 * before the create (ifindex 0), the ifindex once the create succeeded. */
typedef struct plug_dev_record {
        char ifname[VPORT_IFNAMSIZ];
        int ifindex;
        int lower_ifindex;
} plug_dev_record;

/* Journal rec under key with step. Returns 0 or -errno. */
int plug_dev_journal(vport_ctx *ctx, const vport_port *port, const char *key, const char *step,
                     const plug_dev_record *rec, vport_error *err);
/* Returns 0 and the record, -ENOENT if there is none, or -errno. */
int plug_dev_journal_read(vport_ctx *ctx, const vport_port *port, const char *key, plug_dev_record *ret,
                          vport_error *err);

typedef struct plug_release_ops {
        /* The journal key of the port's device. */
        void (*dev_key)(const vport_port *port, char buf[static PLUG_KEY_MAX]);
        /* Whether a device found by the recorded name only (a crash between
         * the create and recording its ifindex) is the one the port made. */
        bool (*dev_matches)(const vport_port *port, const plug_dev_record *rec, const vport_link *link);
        /* Restore whatever else prepare changed, once the device is gone
         * (may be NULL). Reads and must keep its own journal entries. */
        int (*restore)(vport_ctx *ctx, vport_port *port, vport_error *err);
} plug_release_ops;

/* Release the devices of ports[0..n): mark every journal entry
 * "releasing" (one transaction), delete the devices that are still the
 * ones recorded (one RTM_DELLINK for all of them when n > 1, through a
 * fresh netdev group), restore, then drop the journal entries of every
 * port whose restore succeeded (one transaction). Idempotent. Returns the
 * first error (every port is still attempted) or 0. */
int plug_release(vport_ctx *ctx, vport_port **ports, size_t n, const plug_release_ops *ops,
                 vport_error *err);

/* Run fn in one store transaction unless one is already open. */
int plug_txn_begin(vport_ctx *ctx, bool *ret_owned, vport_error *err);
int plug_txn_end(vport_ctx *ctx, bool owned, int r, vport_error *err);
