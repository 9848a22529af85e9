/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/netdev-name.h"

/* Groups vport picks for batched deletes: "vp" << 20 + the marker's
 * ifindex, far above the small numbers administrators hand out. */
#define NETDEV_GROUP_BASE 0x76700000u
/* Creation groups: 0x76800000 + 23 random bits, above the batch groups. */
#define NETDEV_CREATE_GROUP_BASE 0x76800000u
#define NETDEV_CREATE_GROUP_MASK 0x007fffffu

uint32_t netdev_create_group(void) {
        uint32_t rnd;

        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                rnd = (uint32_t) random() ^ (uint32_t) getpid() << 8;
        return NETDEV_CREATE_GROUP_BASE | (rnd & NETDEV_CREATE_GROUP_MASK);
}

bool netdev_is_create_group(uint32_t group) {
        return (group & ~NETDEV_CREATE_GROUP_MASK) == NETDEV_CREATE_GROUP_BASE;
}

bool netdev_name_is_template(const char *name) {
        const char *p = name ? strchr(name, '%') : NULL;

        return p && streq(p, "%d");
}

/* Whether name is one the kernel can make of template (PREFIX and a
 * number without leading zeros). */
static bool netdev_name_fits(const char *name, const char *template) {
        size_t n = strlen(template);

        if (!netdev_name_is_template(template) || strncmp(name, template, n - 2) != 0)
                return false;
        name += n - 2;
        if (!name[0] || (name[0] == '0' && name[1]))
                return false;
        for (; *name; name++)
                if (*name < '0' || *name > '9')
                        return false;
        return true;
}

int netdev_find_created(vport_ctx *ctx, const char *template, const char *kind, uint32_t group,
                        vport_link *ret, vport_error *err) {
        _cleanup_free_ vport_link *links = NULL;
        size_t n = 0;
        int r;

        if (!netdev_is_create_group(group))
                return 0;
        r = ctx->ops->link_list_kind(ctx->kernel, kind, &links, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (links[i].group == group && netdev_name_fits(links[i].name, template)) {
                        *ret = links[i];
                        return 1;
                }
        return 0;
}

int netdev_still_ours(vport_ctx *ctx, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        vport_link link;
        int r;

        if (ifindex <= 0 || !name || !name[0])
                return 0;
        r = ctx->ops->link_get(ctx->kernel, ifindex, NULL, &link, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                /* Gone; someone else's device may carry the name now. */
                if (ctx->ops->link_get(ctx->kernel, 0, name, &link, NULL) >= 0)
                        ctx_notice(ctx,
                                   "%s (ifindex %d) is not the device vport made (ifindex %d): left alone",
                                   name, link.ifindex, ifindex);
                else
                        ctx_notice(ctx, "%s (ifindex %d), which vport made, was already gone", name,
                                   ifindex);
                return 0;
        }
        if (r < 0)
                return r;
        if (!streq(link.name, name)) {
                ctx_notice(ctx, "%s (ifindex %d) is not the device vport made (%s): left alone", link.name,
                           ifindex, name);
                return 0;
        }
        if (ret)
                *ret = link;
        return 1;
}

bool netdev_is_group_marker(const vport_link *l) {
        return strncmp(l->name, "vpgrp", 5) == 0 && streq(l->kind, "tun") &&
               (l->group == NETDEV_GROUP_BASE + (uint32_t) l->ifindex || netdev_is_create_group(l->group));
}

static bool group_has_members(const vport_link *links, size_t n, const vport_link *marker) {
        for (size_t i = 0; i < n; i++)
                if (links[i].group == marker->group && links[i].ifindex != marker->ifindex)
                        return true;
        return false;
}

/* Delete the dead markers among links (one dump), except the caller's own
 * (keep; 0: none). A marker alone in its group was left by a vport
 * process that died between making it and the group delete (its members
 * were deleted one by one since, by reconcile or a repeated delete). Its
 * signature, a vpgrp tap whose group is derived from its own ifindex, is
 * vport's. One with members still belongs to a batch in flight: left
 * alone. */
static void markers_sweep(vport_ctx *ctx, const vport_link *links, size_t n, int keep) {
        for (size_t i = 0; i < n; i++)
                if (links[i].ifindex != keep && netdev_is_group_marker(&links[i]) &&
                    !group_has_members(links, n, &links[i]))
                        (void) ctx->ops->link_delete(ctx->kernel, links[i].ifindex, NULL);
}

void netdev_markers_sweep(vport_ctx *ctx) {
        _cleanup_free_ vport_link *links = NULL;
        size_t n = 0;

        /* (a fake SR-IOV table for hostdev-only tests lists no links) */
        if (!ctx->ops->link_list || ctx->ops->link_list(ctx->kernel, &links, &n, NULL) < 0)
                return;
        markers_sweep(ctx, links, n, 0);
}

int netdev_group_new(vport_ctx *ctx, uint32_t *ret_group, int *ret_marker, vport_error *err) {
        vport_link marker;
        vport_mac mac;
        uint32_t group;
        int r;

        /* (dead markers are swept from netdev_group_only()'s dump) */
        mac_generate(&mac);
        /* Made in a creation group: a marker killed before it got its own
         * group is still recognisable (and swept). */
        r = ctx->ops->tap_create(ctx->kernel, "vpgrp%d", &mac, netdev_create_group(), &marker, err);
        if (r < 0)
                return vport_error_prefix(err, r, "batched delete: group marker");
        group = NETDEV_GROUP_BASE + (uint32_t) marker.ifindex;
        r = ctx->ops->link_set_group(ctx->kernel, marker.ifindex, group, err);
        if (r < 0) {
                (void) ctx->ops->link_delete(ctx->kernel, marker.ifindex, NULL);
                return r;
        }
        *ret_group = group;
        *ret_marker = marker.ifindex;
        return 0;
}

static bool index_listed(const int *ifindexes, size_t n, int ifindex) {
        for (size_t i = 0; i < n; i++)
                if (ifindexes[i] == ifindex)
                        return true;
        return false;
}

int netdev_group_only(vport_ctx *ctx, uint32_t group, int marker, const int *ifindexes, size_t n,
                      vport_error *err) {
        _cleanup_free_ vport_link *links = NULL;
        size_t nl = 0;
        int r;

        r = ctx->ops->link_list(ctx->kernel, &links, &nl, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < nl; i++)
                if (links[i].group == group && links[i].ifindex != marker &&
                    !index_listed(ifindexes, n, links[i].ifindex))
                        return 0;
        /* The one dump a batched delete makes serves the sweep too. */
        markers_sweep(ctx, links, nl, marker);
        return 1;
}
