/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "core/pool.h"

void pool_clear(pool *p) {
        for (size_t i = 0; i < p->n; i++) {
                free(p->devices[i].key);
                free(p->devices[i].netdev);
        }
        free(p->devices);
        *p = (pool){ 0 };
}

static int pool_add(pool *p, const char *key, const char *netdev, const vport_pci_addr *pci) {
        pool_device *d;

        /* capacity doubles at every power of two: appending stays linear */
        if (p->n == 0 || (p->n & (p->n - 1)) == 0) {
                d = reallocarray(p->devices, p->n ? 2 * p->n : 1, sizeof(*d));
                if (!d)
                        return -ENOMEM;
                p->devices = d;
        }
        d = &p->devices[p->n];
        *d = (pool_device){ .key = strdup(key), .netdev = netdev ? strdup(netdev) : NULL };
        if (pci) {
                d->has_pci = true;
                d->pci = *pci;
        }
        p->n++;
        if (!d->key || (netdev && !d->netdev))
                return -ENOMEM;
        return 0;
}

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/* One VF of the PF: by PCI address for hostdev, by its (current) netdev for
 * direct modes, which cannot use a VF without one (bound to vfio-pci). */
static int pool_add_vf(vport_ctx *ctx, pool *p, const vport_pci_addr *vf, bool hostdev, vport_error *err) {
        char **names = NULL, bdf[VPORT_PCI_STRLEN];
        size_t n = 0;
        int r;

        r = ctx->ops->pci_netdevs(ctx->kernel, vf, &names, &n, err);
        if (r < 0)
                return r;
        pci_addr_format(vf, bdf);
        if (hostdev)
                r = pool_add(p, bdf, n > 0 ? names[0] : NULL, vf);
        else if (n > 0)
                r = pool_add(p, names[0], names[0], vf);
        strv_free(names, n);
        return r;
}

static int pool_expand_pf(vport_ctx *ctx, const vport_network_def *net, bool hostdev, pool *p,
                          vport_error *err) {
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        vport_pci_addr pf;
        size_t n = 0;
        int r;

        r = ctx->ops->netdev_pci(ctx->kernel, net->pf, &pf, err);
        if (r < 0)
                return vport_error_prefix(err, r, "network '%s': <pf dev='%s'>", net->name, net->pf);
        r = ctx->ops->pci_vfs(ctx->kernel, &pf, &vfs, &n, err);
        if (r < 0)
                return vport_error_prefix(err, r, "network '%s': <pf dev='%s'>", net->name, net->pf);
        if (n == 0)
                return vport_error_set(err, -ENODEV, "network '%s': <pf dev='%s'> has no virtual functions",
                                       net->name, net->pf);
        for (size_t i = 0; i < n; i++) {
                r = pool_add_vf(ctx, p, &vfs[i], hostdev, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int pool_list(vport_ctx *ctx, const vport_network_def *net, vport_plug_type t, pool *p,
                     vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];
        int r = 0;

        if (net->pf)
                return pool_expand_pf(ctx, net, t == PLUG_HOSTDEV_PCI, p, err);
        for (size_t i = 0; r >= 0 && i < net->n_interfaces; i++)
                r = pool_add(p, net->interfaces[i], net->interfaces[i], NULL);
        for (size_t i = 0; r >= 0 && i < net->n_addresses; i++)
                r = pool_add(p, pci_addr_format(&net->addresses[i], bdf), NULL, &net->addresses[i]);
        if (r >= 0 && p->n == 0 && net->forward_dev)
                r = pool_add(p, net->forward_dev, net->forward_dev, NULL);
        return r;
}

static int usage_cmp(const void *a, const void *b) {
        return strcmp(((const store_device_count *) a)->device, ((const store_device_count *) b)->device);
}

int pool_load_devices(vport_ctx *ctx, const vport_network_def *net, vport_plug_type t, pool *ret,
                      vport_error *err) {
        pool p = { 0 };
        int r;

        r = pool_list(ctx, net, t, &p, err);
        if (r < 0) {
                pool_clear(&p);
                return r;
        }
        *ret = p;
        return 0;
}

int pool_count(vport_ctx *ctx, const vport_network_def *net, pool *p, vport_error *err) {
        store_device_count *usage = NULL;
        size_t n_usage = 0;
        int r;

        r = store_device_usage(ctx->store, net->name, &usage, &n_usage, err);
        if (r < 0)
                return r;
        /* sorted once, looked up per device: a pool of 100,000 interfaces
         * with many ports in use stays n log n */
        if (n_usage > 0)
                qsort(usage, n_usage, sizeof(*usage), usage_cmp);
        for (size_t i = 0; i < p->n; i++) {
                store_device_count key = { .device = p->devices[i].key }, *u;
                u = n_usage ? bsearch(&key, usage, n_usage, sizeof(*usage), usage_cmp) : NULL;
                p->devices[i].connections = u ? u->count : 0;
        }
        store_device_count_array_free(usage, n_usage);
        return 0;
}

int pool_load(vport_ctx *ctx, const vport_network_def *net, vport_plug_type t, pool *ret, vport_error *err) {
        pool p = { 0 };
        int r;

        r = pool_load_devices(ctx, net, t, &p, err);
        if (r >= 0)
                r = pool_count(ctx, net, &p, err);
        if (r < 0) {
                pool_clear(&p);
                return r;
        }
        *ret = p;
        return 0;
}

bool pool_counts_matter(const pool *p, bool exclusive) {
        return exclusive || p->n > 1;
}

bool pool_is_exclusive(const vport_network_def *net, const vport_virtualport *vp) {
        return net->forward_mode == FORWARD_PASSTHROUGH || net->forward_mode == FORWARD_HOSTDEV ||
               (net->forward_mode == FORWARD_PRIVATE && vp && vp->type == VIRTUALPORT_8021QBH);
}

int pool_choose(const pool *p, const char *network, bool exclusive, vport_error *err) {
        int best = -1;

        if (p->n == 0)
                return vport_error_set(err, -ENOSPC, "network '%s' has no devices in its pool", network);
        for (size_t i = 0; i < p->n; i++) {
                if (exclusive && p->devices[i].connections == 0)
                        return (int) i;
                if (!exclusive && (best < 0 || p->devices[i].connections < p->devices[best].connections))
                        best = (int) i;
        }
        if (best < 0)
                return vport_error_set(err, -ENOSPC,
                                       "network '%s' requires exclusive access to interfaces, but none are "
                                       "available (all %zu in use)",
                                       network, p->n);
        return best;
}

static int pool_index(const pool *p, const char *device, const vport_pci_addr *pci) {
        for (size_t i = 0; i < p->n; i++) {
                const pool_device *d = &p->devices[i];
                if (streq(d->key, device) || streq_ptr(d->netdev, device) ||
                    (pci && d->has_pci && pci_addr_equal(&d->pci, pci)))
                        return (int) i;
        }
        return -ENODEV;
}

int pool_find(vport_ctx *ctx, const pool *p, const char *network, const char *device, bool exclusive,
              vport_error *err) {
        vport_pci_addr pci;
        bool has_pci = pci_addr_parse(device, &pci) >= 0;
        int i;

        /* A netdev name of a PCI device: look for its address (names may change, addresses do not). */
        if (!has_pci && ifname_check(device, NULL) >= 0)
                has_pci = ctx->ops->netdev_pci(ctx->kernel, device, &pci, NULL) >= 0;
        i = pool_index(p, device, has_pci ? &pci : NULL);
        if (i < 0)
                return vport_error_set(err, -ENODEV, "device '%s' is not in the pool of network '%s'",
                                       device, network);
        if (exclusive && p->devices[i].connections > 0)
                return vport_error_set(err, -EBUSY,
                                       "device '%s' of network '%s' is already used by another port", device,
                                       network);
        return i;
}
