/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the tap and macvtap drivers share: the journal record of the device
 * a port made, and release (single or batched) of those devices. */
#pragma once

#include "core/internal.h"

#define PLUG_KEY_MAX 64

/* The device a port made, as journaled under its key: the name and the
 * creation group are recorded before the create (ifindex 0), the ifindex
 * right after it succeeded. */
typedef struct plug_dev_record {
        char ifname[VPORT_IFNAMSIZ];
        int ifindex;
        int lower_ifindex;
        uint32_t group; /* netdev_create_group(): the device is made in it */
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
        /* IFLA_INFO_KIND of the device ("tun", "macvtap"). */
        const char *dev_kind;
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

/* A step that undoes something on a port's device (deactivate). */
typedef enum plug_undo {
        PLUG_UNDO_DOWN,       /* set the port's own device (tap, macvtap) down */
        PLUG_UNDO_LOWER_DOWN, /* set a passthrough macvtap's lower device down */
        PLUG_UNDO_FDB,        /* remove the guest MAC's FDB entry from the tap's bridge */
        _PLUG_UNDO_MAX,
} plug_undo;

/* What the error r of an undo step on device ifindex (recorded as name)
 * means. A device or entry that went away behind vport's back counts as
 * undone: ENODEV (no device has that ifindex: deleted, or moved to
 * another namespace); for PLUG_UNDO_FDB also ENOENT (no such entry) and
 * EOPNOTSUPP from a device that is no longer a bridge port (its bridge
 * was deleted, which flushed its entries). Anything else, an EOPNOTSUPP
 * from a device still on a bridge included, is a real failure. A device
 * is only ever named by its ifindex here, so a newer device that took the
 * name is never touched. Returns 0 (done, or what the step undoes is
 * gone: a notice names it, err is cleared), 1 (the device itself is gone:
 * skip further steps on it), or r with err kept. */
int plug_undo_error(vport_ctx *ctx, const vport_port *port, plug_undo what, int ifindex, const char *name,
                    int r, vport_error *err);
