/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's own work: autostart and reconcile at start, and the link
 * watch. The watch is the kernel's RTNLGRP_LINK notifications (a socket of
 * its own, opened and read through the context's kernel ops, so only
 * kernel/ speaks netlink): no polling. Notifications are gathered and
 * looked at together at most every WATCH_BATCH_US (or WATCH_SHARE times
 * what the last batch took, on a host with thousands of ports), so a burst
 * (a VM's ports, a host full of churn) costs one read of the store, not
 * one per message. */
#include <net/if.h>
#include <stdio.h>
#include <time.h>

#include "core/internal.h"
#include "degraded.h"
#include "events.h"
#include "method.h"

#define WATCH_BATCH_US 100000 /* 0.1 s: how late a degraded port may be reported */
#define WATCH_SHARE                                                                               \
        10                 /* a batch waits 10x as long as the last one took: at most ~10% of the \
                            * daemon's time goes to the watch, however many ports there are */
#define WATCH_MAX     4096 /* links remembered per batch / as down */
#define WATCH_POOLS   256  /* networks whose pool size is followed */
#define WATCH_NAMES   256  /* links whose last name is remembered (by ifindex, direct-mapped) */
#define POOL_NAME_MAX 256  /* a network's name, as stored */

typedef struct link_watch link_watch;
static link_watch *the_watch; /* the daemon's one watch, once it runs */
static void pools_recount(link_watch *w, bool report);

/* ---- start ---- */

static void autostart(vport_ctx *ctx, vd_server *server) {
        vport_network **nets = NULL;
        vport_error err = { 0 };
        size_t n = 0;
        int r;

        if ((r = vport_network_list(ctx, &nets, &n, &err)) < 0) {
                fprintf(stderr, "vportd: autostart: %s\n", vport_error_message(&err, r));
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *name = vport_network_get_name(nets[i]);
                json_object *o;

                if (!vport_network_get_autostart(nets[i]) || vport_network_get_active(nets[i]))
                        continue;
                vport_error_clear(&err);
                r = vport_net_start(ctx, name, &err);
                o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name));
                if (r < 0) {
                        fprintf(stderr, "vportd: autostart of network %s failed: %s\n", name,
                                vport_error_message(&err, r));
                        json_object_object_add(o, "message",
                                               json_object_new_string(vport_error_message(&err, r)));
                } else
                        fprintf(stderr, "vportd: network %s started (autostart)\n", name);
                vd_emit(server, r < 0 ? "network-autostart-failed" : "network-autostarted", o);
        }
        vport_network_array_free(nets, n);
}

/* A port the drift report says lost a device is degraded from the start. */
static void mark_missing(vport_ctx *ctx, vd_server *server, vport_drift_item **d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_(vport_port_freep) vport_port *p = NULL;
                vport_error err = { 0 };

                if (vport_drift_item_get_kind(d[i]) != VPORT_DRIFT_DEVICE_MISSING ||
                    !vport_drift_item_get_port(d[i]) ||
                    vport_port_get(ctx, vport_drift_item_get_port(d[i]), &p, &err) < 0 ||
                    vd_degraded_mark(p, vport_drift_item_get_detail(d[i])) < 0)
                        continue;
                vd_emit(server, "port-degraded", vd_port_json(p));
        }
}

static void reconcile(vport_ctx *ctx, vd_server *server) {
        vport_repair **rep = NULL;
        vport_drift_item **drift = NULL;
        size_t n_rep = 0, n_drift = 0;
        vport_error err = { 0 };
        int handled, r;

        handled = vport_reconcile_ex(ctx, &rep, &n_rep, &err);
        if (handled < 0) {
                fprintf(stderr, "vportd: reconcile at start failed: %s\n",
                        vport_error_message(&err, handled));
                return;
        }
        vport_error_clear(&err);
        if ((r = vport_drift(ctx, &drift, &n_drift, &err)) < 0)
                fprintf(stderr, "vportd: drift at start: %s\n", vport_error_message(&err, r));
        for (size_t i = 0; i < n_rep; i++)
                if (vport_repair_get_network(rep[i]))
                        fprintf(stderr, "vportd: reconcile: network %s: %s\n",
                                vport_repair_get_network(rep[i]), vport_repair_get_action(rep[i]));
                else
                        fprintf(stderr, "vportd: reconcile: %s\n", vport_repair_get_action(rep[i]));
        for (size_t i = 0; i < n_drift; i++)
                fprintf(stderr, "vportd: drift: %s\n", vport_drift_item_get_detail(drift[i]));
        vd_emit(server, "reconciled", vport_reconcile_report_to_json(handled, rep, n_rep, drift, n_drift));
        mark_missing(ctx, server, drift, n_drift);
        vport_repair_array_free(rep, n_rep);
        vport_drift_item_array_free(drift, n_drift);
}

void vd_startup(vport_ctx *ctx, vd_server *server) {
        autostart(ctx, server);
        if (the_watch) /* the pools of the networks just started */
                pools_recount(the_watch, false);
        reconcile(ctx, server);
}

/* ---- the link watch ---- */

typedef struct seen_link {
        int ifindex;
        char name[IF_NAMESIZE];
} seen_link;

typedef struct link_watch {
        vport_ctx *ctx;
        vd_server *server;
        sd_event *event;
        sd_event_source *timer;
        int fd;
        uint64_t last_batch_us; /* what the last batch took */
        bool resync;            /* notifications were lost: ask the drift report */
        bool others; /* a device that is no port's own came, went or was renamed: pools may differ */
        struct {
                char name[POOL_NAME_MAX];
                int n; /* devices in its pool */
        } pools[WATCH_POOLS];
        size_t n_pools;
        seen_link gone[WATCH_MAX];
        size_t n_gone;
        seen_link down[WATCH_MAX]; /* went down in this batch */
        size_t n_down;
        seen_link up[WATCH_MAX]; /* came up in this batch */
        size_t n_up;
        seen_link warned[WATCH_MAX]; /* a device-down was sent and no device-up yet */
        size_t n_warned;
        seen_link names[WATCH_NAMES]; /* the name a link last had, in slot ifindex % WATCH_NAMES */
} link_watch;

static ssize_t find_link(const seen_link *l, size_t n, int ifindex) {
        for (size_t i = 0; i < n; i++)
                if (l[i].ifindex == ifindex)
                        return (ssize_t) i;
        return -1;
}

/* Returns false if l is full (the caller falls back to the drift report). */
static bool link_add(seen_link *l, size_t *n, const vport_link *link) {
        if (find_link(l, *n, link->ifindex) >= 0)
                return true;
        if (*n >= WATCH_MAX)
                return false;
        l[*n].ifindex = link->ifindex;
        snprintf(l[*n].name, sizeof(l[*n].name), "%s", link->name);
        (*n)++;
        return true;
}

static void link_remove(seen_link *l, size_t *n, int ifindex) {
        ssize_t i = find_link(l, *n, ifindex);

        if (i >= 0)
                l[i] = l[--*n];
}

/* A port's own device (tap, macvtap) going down is its VM's business (and
 * every prepare makes one down): only the devices under ports count. */
static bool is_port_device(const vport_link *link) {
        return streq(link->kind, "tun") || streq(link->kind, "macvtap");
}

static uint64_t now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t) t.tv_sec * 1000000 + (uint64_t) t.tv_nsec / 1000;
}

static void arm(link_watch *w) {
        uint64_t now = 0, wait = WATCH_SHARE * w->last_batch_us;

        if (w->timer && sd_event_source_get_enabled(w->timer, NULL) > 0)
                return; /* a batch is already due */
        (void) sd_event_now(w->event, CLOCK_MONOTONIC, &now);
        (void) sd_event_source_set_time(w->timer, now + (wait > WATCH_BATCH_US ? wait : WATCH_BATCH_US));
        (void) sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
}

/* A pool's size changes with devices that come, go or are renamed, not
 * with what else a link's notification says: every macvtap made or
 * deleted on a lower device is a notification for that device too (its
 * upper devices changed), and counting every pool again for each cost
 * the daemon a read of every network and a count of its ports per batch.
 * Returns true if link is news for the pools: a name this slot does not
 * remember for its ifindex (a new device, a rename, or one whose slot
 * another took: counted, as every notification was before). */
static bool name_changed(link_watch *w, const vport_link *link) {
        seen_link *s = &w->names[(unsigned) link->ifindex % WATCH_NAMES];

        if (s->ifindex == link->ifindex && streq(s->name, link->name))
                return false;
        s->ifindex = link->ifindex;
        snprintf(s->name, sizeof(s->name), "%s", link->name);
        return true;
}

static void on_link(vport_link_event_type type, const vport_link *link, void *userdata) {
        link_watch *w = userdata;
        bool warned = find_link(w->warned, w->n_warned, link->ifindex) >= 0;

        if (type == VPORT_LINK_DEL) {
                seen_link *s = &w->names[(unsigned) link->ifindex % WATCH_NAMES];
                if (s->ifindex == link->ifindex)
                        *s = (seen_link){ 0 };
                w->others |= !is_port_device(link);
                if (!link_add(w->gone, &w->n_gone, link))
                        w->resync = true; /* more went at once than a batch holds */
                link_remove(w->down, &w->n_down, link->ifindex);
                link_remove(w->up, &w->n_up, link->ifindex);
                link_remove(w->warned, &w->n_warned, link->ifindex);
                arm(w);
                return;
        }
        if (is_port_device(link))
                return;
        if (name_changed(w, link)) {
                w->others = true;
                arm(w);
        }
        if (!(link->flags & IFF_UP) && !warned) {
                (void) link_add(w->down, &w->n_down, link);
                arm(w);
        } else if (link->flags & IFF_UP) {
                link_remove(w->down, &w->n_down, link->ifindex);
                if (warned) {
                        (void) link_add(w->up, &w->n_up, link);
                        arm(w);
                }
        }
}

/* A port being deleted loses its devices on purpose. */
static bool being_deleted(vport_ctx *ctx, const vport_port *p) {
        store_journal *j = NULL;
        vport_error err = { 0 };
        int r = store_journal_get(ctx->store, vport_port_get_uuid(p), JOURNAL_KEY_DELETE, &j, &err);

        store_journal_free(j);
        return r >= 0;
}

static void degrade(link_watch *w, vport_port *p, const seen_link *l, const char *what) {
        char why[160];

        if (vd_degraded_reason(p) || being_deleted(w->ctx, p))
                return;
        snprintf(why, sizeof(why), "%s %s (ifindex %d) is gone", what, l->name, l->ifindex);
        if (vd_degraded_mark(p, why) < 0)
                return;
        fprintf(stderr, "vportd: port %s degraded: %s\n", vport_port_get_owner_name(p) ?: "", why);
        vd_emit(w->server, "port-degraded", vd_port_json(p));
}

/* The ports that use device l (as their lower device, pool device or their
 * network's bridge), as a JSON array of UUIDs; NULL if none. */
static json_object *users(vport_port **ports, size_t n, vport_network **nets, size_t n_nets,
                          const seen_link *l) {
        json_object *a = NULL;

        for (size_t i = 0; i < n; i++) {
                const vport_port *p = ports[i];
                const vport_network *net = NULL;
                bool uses =
                        p->rt.lower_ifindex == l->ifindex || streq_ptr(vport_port_get_device(p), l->name);
                char u[VPORT_UUID_STRLEN];

                for (size_t k = 0; !net && k < n_nets; k++)
                        if (streq_ptr(vport_network_get_name(nets[k]), vport_port_get_network(p)))
                                net = nets[k];
                uses = uses || (net && streq_ptr(vport_network_get_bridge(net), l->name));
                /* passthrough keeps the device down until the guest runs */
                if (!uses || (vport_port_get_state(p) != VPORT_PORT_STATE_ACTIVE && net &&
                              streq_ptr(vport_network_get_forward(net), "passthrough")))
                        continue;
                if (!a)
                        a = json_object_new_array();
                json_object_array_add(a,
                                      json_object_new_string(vport_uuid_format(vport_port_get_uuid(p), u)));
        }
        return a;
}

static void link_state_event(link_watch *w, const char *kind, const seen_link *l, json_object *ports) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(l->name));
        json_object_object_add(o, "ifindex", json_object_new_int(l->ifindex));
        json_object_object_add(o, "severity",
                               json_object_new_string(streq(kind, "device-down") ? "warning" : "info"));
        json_object_object_add(o, "ports", ports);
        fprintf(stderr, "vportd: %s: %s is %s\n", streq(kind, "device-down") ? "warning" : "notice", l->name,
                streq(kind, "device-down") ? "down" : "up again");
        vd_emit(w->server, kind, o);
}

/* vport itself takes a passthrough device down for a moment to change its
 * MAC (prepare, delete): a device that is up again by the time the batch
 * is looked at is no news. */
static bool still_down(link_watch *w, const seen_link *l) {
        vport_error err = { 0 };
        vport_link now;

        return w->ctx->ops->link_get(w->ctx->kernel, l->ifindex, NULL, &now, &err) >= 0 &&
               !(now.flags & IFF_UP);
}

static void batch_resync(link_watch *w) {
        vport_drift_item **d = NULL;
        vport_error err = { 0 };
        size_t n = 0;

        if (vport_drift(w->ctx, &d, &n, &err) < 0)
                return;
        mark_missing(w->ctx, w->server, d, n);
        vport_drift_item_array_free(d, n);
}

/* A pool's devices are read from sysfs at every allocation (pool_load()),
 * so VFs a PF gains or loses (sriov_numvfs) are used without anything
 * being refreshed; the VFs' netdevs coming and going are what tells the
 * daemon to count again and report a pool that changed. */
static void pools_recount(link_watch *w, bool report) {
        vport_network **nets = NULL;
        vport_error err = { 0 };
        size_t n = 0;

        if (vport_network_list(w->ctx, &nets, &n, &err) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(vport_network_freep) vport_network *full = NULL;
                const char *name = vport_network_get_name(nets[i]);
                ssize_t k = -1;
                int devs;

                if (!vport_network_get_active(nets[i]) || vport_network_get(w->ctx, name, &full, &err) < 0 ||
                    (devs = vport_network_get_n_devices(full)) < 0)
                        continue; /* no pool (bridge networks), or unreadable now */
                for (size_t j = 0; k < 0 && j < w->n_pools; j++)
                        if (streq(w->pools[j].name, name))
                                k = (ssize_t) j;
                if (k < 0) {
                        if (w->n_pools >= WATCH_POOLS)
                                continue;
                        k = (ssize_t) w->n_pools++;
                        snprintf(w->pools[k].name, sizeof(w->pools[k].name), "%s", name);
                } else if (w->pools[k].n != devs && report) {
                        json_object *o = json_object_new_object();

                        json_object_object_add(o, "name", json_object_new_string(name));
                        json_object_object_add(o, "devices", json_object_new_int(devs));
                        json_object_object_add(o, "previous", json_object_new_int(w->pools[k].n));
                        fprintf(stderr, "vportd: network %s: its pool has %d devices (was %d)\n", name, devs,
                                w->pools[k].n);
                        vd_emit(w->server, "pool-changed", o);
                }
                w->pools[k].n = devs;
        }
        vport_network_array_free(nets, n);
}

static void on_network_started(const char *name _unused_) {
        if (the_watch)
                pools_recount(the_watch, false);
}

static int on_batch(sd_event_source *src, uint64_t usec, void *userdata) {
        link_watch *w = userdata;
        vport_port **ports = NULL;
        vport_network **nets = NULL;
        size_t n = 0, n_nets = 0;
        vport_error err = { 0 };
        uint64_t start = now_us(), end;

        if (w->resync) {
                w->resync = false;
                batch_resync(w);
        }
        if (w->others) {
                w->others = false;
                pools_recount(w, true);
        }
        if (!w->n_gone && !w->n_down && !w->n_up)
                goto out;
        /* what a listing reads (columns, summary, runtime): every member
         * the watch compares and the event shows, without parsing each
         * port's XML (a batch read every port of the host in full) */
        if (vport_port_list_brief(w->ctx, NULL, &ports, &n, &err) < 0)
                goto out;
        if (w->n_down || w->n_up) /* users(): bridges, forward modes */
                (void) vport_network_list(w->ctx, &nets, &n_nets, &err);
        for (size_t i = 0; i < n; i++) {
                vport_port *p = ports[i];
                ssize_t k;

                if (p->rt.ifindex <= 0)
                        continue; /* holds no device yet */
                if ((k = find_link(w->gone, w->n_gone, p->rt.ifindex)) >= 0)
                        degrade(w, p, &w->gone[k], "its interface");
                else if (p->rt.lower_ifindex > 0 &&
                         (k = find_link(w->gone, w->n_gone, p->rt.lower_ifindex)) >= 0)
                        degrade(w, p, &w->gone[k], "its lower device");
        }
        for (size_t i = 0; i < w->n_down; i++) {
                json_object *a;

                if (!still_down(w, &w->down[i]))
                        continue;
                if (!(a = users(ports, n, nets, n_nets, &w->down[i])))
                        continue;
                link_state_event(w, "device-down", &w->down[i], a);
                if (w->n_warned < WATCH_MAX)
                        w->warned[w->n_warned++] = w->down[i];
        }
        for (size_t i = 0; i < w->n_up; i++) {
                link_state_event(w, "device-up", &w->up[i], users(ports, n, nets, n_nets, &w->up[i]));
                link_remove(w->warned, &w->n_warned, w->up[i].ifindex);
        }
out:
        end = now_us();
        w->last_batch_us = end > start ? end - start : 0;
        w->n_gone = w->n_down = w->n_up = 0;
        vport_port_array_free(ports, n);
        vport_network_array_free(nets, n_nets);
        return 0;
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        link_watch *w = userdata;
        vport_error err = { 0 };
        int r = w->ctx->ops->link_watch_read(w->ctx->kernel, fd, on_link, w, &err);

        if (r == -ENOBUFS) { /* the kernel dropped notifications: the drift report says what we missed */
                fprintf(stderr, "vportd: link notifications were lost: checking every port\n");
                w->resync = true;
                arm(w);
        } else if (r < 0)
                fprintf(stderr, "vportd: link watch: %s\n", vport_error_message(&err, r));
        return 0;
}

int vd_link_watch(sd_event *event, vport_ctx *ctx, vd_server *server) {
        static link_watch w;
        vport_error err = { 0 };
        int r;

        w = (link_watch){ .ctx = ctx, .server = server, .event = event, .fd = -1 };
        if (!ctx->ops->link_watch_open)
                return -EOPNOTSUPP;
        if ((r = ctx->ops->link_watch_open(ctx->kernel, &w.fd, &err)) < 0)
                return r;
        if ((r = sd_event_add_time(event, &w.timer, CLOCK_MONOTONIC, 0, 0, on_batch, &w)) < 0 ||
            (r = sd_event_source_set_enabled(w.timer, SD_EVENT_OFF)) < 0)
                return r;
        pools_recount(&w, false);
        the_watch = &w;
        vd_network_started_register(on_network_started);
        return sd_event_add_io(event, NULL, w.fd, EPOLLIN, on_readable, &w);
}
