/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network's device pool and how ports are spread over it (libvirt's
 * networkAllocatePort rules). */
#pragma once

#include "core/internal.h"

typedef struct pool_device {
        char *key;    /* what ports record: the netdev name (direct) or PCI address (hostdev) */
        char *netdev; /* NULL for a VF without a netdev */
        bool has_pci;
        vport_pci_addr pci;
        unsigned connections; /* live ports holding it */
} pool_device;

typedef struct pool {
        pool_device *devices;
        size_t n;
} pool;

void pool_clear(pool *p);

/* The pool of a network for plug type t, with connection counts from the
 * store. <pf dev> is expanded to the PF's VFs through sysfs: by netdev for
 * direct modes (VFs without a netdev are skipped), by PCI address for
 * hostdev. <forward dev> alone is a pool of one. Returns 0 or -errno. */
int pool_load(vport_ctx *ctx, const vport_network_def *net, vport_plug_type t, pool *ret, vport_error *err);

/* pool_load() without the counts (each 0): for a caller they cannot
 * change (pool_counts_matter()). Returns 0 or -errno. */
int pool_load_devices(vport_ctx *ctx, const vport_network_def *net, vport_plug_type t, pool *ret,
                      vport_error *err);

/* Fill in p's connection counts from the store (the live ports holding
 * each device). Returns 0 or -errno. */
int pool_count(vport_ctx *ctx, const vport_network_def *net, pool *p, vport_error *err);

/* Whether p's counts can change a choice or a refusal: a device a port
 * must have alone (exclusive), or more than one device to choose among.
 * A shared pool of one device gives its device whatever the counts, and
 * reading them is a store query (~0.1 M instructions of a CLI create). */
bool pool_counts_matter(const pool *p, bool exclusive);

/* Whether ports of this network need a device of their own (passthrough,
 * hostdev, private with an 802.1Qbh virtualport). */
bool pool_is_exclusive(const vport_network_def *net, const vport_virtualport *vp);

/* The device a request names (its pool key, its netdev, or, for a PCI
 * device, the PCI address behind the netdev name given). Returns its index,
 * -ENODEV if it is not in the pool, or -EBUSY if exclusive and taken; err
 * names the device and network. */
int pool_find(vport_ctx *ctx, const pool *p, const char *network, const char *device, bool exclusive,
              vport_error *err);

/* Pick a device: the first free one if exclusive, else the first with the
 * fewest connections. Returns its index, or -ENOSPC with err naming the
 * network. */
int pool_choose(const pool *p, const char *network, bool exclusive, vport_error *err);
