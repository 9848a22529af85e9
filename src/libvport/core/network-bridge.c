/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bridge of an isolated (no <forward>) or open network.
 *
 * Recorded before it is made: the network journal holds the name and a
 * creation group (netdev_create_group()) before the RTM_NEWLINK, its
 * ifindex right after. The bridge is made in that group by the same
 * RTM_NEWLINK, so a bridge found by the recorded name, of kind bridge and
 * in the recorded group, is the one vport made even if the process died
 * before recording its ifindex; it goes back to group 0 once the ifindex
 * is recorded. Not by its MAC: libvirt makes the same network's bridge
 * with the same name and MAC. Anything else holding the name is foreign
 * and is never deleted. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/netdev-name.h"
#include "core/network-bridge.h"

#define BRIDGE_KEY      "bridge"
#define BRIDGE_TEMPLATE "virbr%d"
#define BRIDGE_ID_MAX   256 /* libvirt's MAX_BRIDGE_ID */

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

typedef struct bridge_record {
        char ifname[VPORT_IFNAMSIZ];
        int ifindex; /* 0 until the create succeeded */
        vport_mac mac;
        uint32_t group; /* creation group */
        int pid;
} bridge_record;

/* ---- define: name and MAC ---- */

/* The network other than def that has bridge name, or NULL (caller frees). */
static int bridge_user(vport_ctx *ctx, const vport_network_def *def, const char *name, char **ret,
                       vport_error *err) {
        store_network *nets = NULL;
        size_t n = 0;
        int r;

        *ret = NULL;
        r = store_network_list(ctx->store, &nets, &n, err);
        for (size_t i = 0; r >= 0 && i < n && !*ret; i++) {
                _cleanup_(net_parsed_unrefp) net_parsed *other = NULL;

                if (streq(nets[i].name, def->name) || net_parsed_get(ctx, &nets[i], &other, NULL) < 0)
                        continue;
                if (other->def->bridge_name && streq(other->def->bridge_name, name) &&
                    !(*ret = strdup(nets[i].name)))
                        r = -ENOMEM;
        }
        store_network_array_free(nets, n);
        return r;
}

static int device_exists(vport_ctx *ctx, const char *name, vport_error *err) {
        vport_link link;
        int r = ctx->ops->link_get(ctx->kernel, 0, name, &link, err);

        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        return r < 0 ? r : 1;
}

/* libvirt's networkFindUnusedBridgeName: the first number whose name no
 * other network uses and no device has. */
static int bridge_name_choose(vport_ctx *ctx, vport_network_def *def, vport_error *err) {
        const char *templ = def->bridge_name ? def->bridge_name : BRIDGE_TEMPLATE;

        for (int id = 0; id <= BRIDGE_ID_MAX; id++) {
                _cleanup_free_ char *name = NULL, *user = NULL;
                int r;

                if (asprintf(&name, templ, id) < 0)
                        return -ENOMEM;
                if ((r = bridge_user(ctx, def, name, &user, err)) < 0)
                        return r;
                if (user || (r = device_exists(ctx, name, err)) != 0) {
                        if (r < 0)
                                return r;
                        continue;
                }
                free(def->bridge_name);
                def->bridge_name = TAKE_PTR(name);
                return 0;
        }
        return vport_error_set(err, -ENOSPC, "network '%s': <bridge name='%s'>: no free name up to %d",
                               def->name, templ, BRIDGE_ID_MAX);
}

int net_bridge_define(vport_ctx *ctx, vport_network_def *def, vport_error *err) {
        _cleanup_free_ char *user = NULL;
        int r;

        if (!forward_mode_makes_bridge(def->forward_mode))
                return 0;
        if (!def->mac_specified) {
                mac_generate(&def->mac);
                def->mac_specified = true;
        }
        if (!def->bridge_name || network_def_bridge_is_template(def))
                return bridge_name_choose(ctx, def, err);
        r = bridge_user(ctx, def, def->bridge_name, &user, err);
        if (r >= 0 && user)
                r = vport_error_set(err, -EEXIST,
                                    "network '%s': <bridge name='%s'>: already used by network '%s'",
                                    def->name, def->bridge_name, user);
        return r;
}

/* ---- the journal record ---- */

static int record_put(vport_ctx *ctx, const vport_network_def *def, const char *step,
                      const bridge_record *rec, vport_error *err) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        char mac[VPORT_MAC_STRLEN];
        store_net_journal j = { .network = def->name, .key = (char *) BRIDGE_KEY, .step = (char *) step };

        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "ifname", json_object_new_string(rec->ifname));
        json_object_object_add(o, "ifindex", json_object_new_int(rec->ifindex));
        json_object_object_add(o, "mac", json_object_new_string(mac_format(&rec->mac, mac)));
        json_object_object_add(o, "group", json_object_new_int64(rec->group));
        json_object_object_add(o, "pid", json_object_new_int(getpid()));
        j.data = (char *) json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        return store_net_journal_put(ctx->store, &j, err);
}

static int json_int(json_object *o, const char *field) {
        json_object *v;

        return o && json_object_object_get_ex(o, field, &v) ? json_object_get_int(v) : 0;
}

static void record_parse(const store_net_journal *j, bridge_record *ret) {
        _cleanup_(json_object_putp) json_object *o = j->data ? json_tokener_parse(j->data) : NULL;
        json_object *v;

        *ret = (bridge_record){ .ifindex = json_int(o, "ifindex"), .pid = json_int(o, "pid") };
        if (o && json_object_object_get_ex(o, "ifname", &v))
                snprintf(ret->ifname, sizeof(ret->ifname), "%s", json_object_get_string(v));
        if (o && json_object_object_get_ex(o, "group", &v))
                ret->group = (uint32_t) json_object_get_int64(v);
        if (o && json_object_object_get_ex(o, "mac", &v))
                (void) mac_parse(json_object_get_string(v), &ret->mac);
}

/* ---- deleting what was made ---- */

/* The ifindex of the recorded bridge if it is still there and ours, else 0. */
static int bridge_find(vport_ctx *ctx, const bridge_record *rec, int *ret_ifindex, vport_error *err) {
        vport_link link;
        int r;

        *ret_ifindex = 0;
        if (!rec->ifname[0])
                return 0;
        r = ctx->ops->link_get(ctx->kernel, rec->ifindex, rec->ifindex > 0 ? NULL : rec->ifname, &link, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        if (streq(link.name, rec->ifname) && streq(link.kind, "bridge") &&
            (rec->ifindex > 0 || (rec->group && link.group == rec->group)))
                *ret_ifindex = link.ifindex;
        return 0;
}

/* Delete the recorded bridge if it is ours; a missing one counts as done.
 * The record stays (the caller drops it). */
static int bridge_remove(vport_ctx *ctx, const char *network, const bridge_record *rec, vport_error *err) {
        int ifindex, r;

        r = bridge_find(ctx, rec, &ifindex, err);
        if (r < 0)
                return r;
        if (ifindex == 0) {
                if (rec->ifindex > 0)
                        ctx_notice(ctx, "network '%s': bridge %s (ifindex %d) was already gone", network,
                                   rec->ifname, rec->ifindex);
                return 0;
        }
        r = ctx->ops->link_delete(ctx->kernel, ifindex, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        return r < 0 ? vport_error_prefix(err, r, "network '%s': deleting bridge %s", network, rec->ifname)
                     : 0;
}

/* ---- start ---- */

/* libvirt's networkSetIPv6Sysctls: IPv6 off on a bridge without an IPv6
 * address (no link-local address, nothing learnt from guests); with one,
 * IPv6 on (the namespace's default may be off) and neither router
 * advertisements nor autoconfiguration taken from guests. */
static int bridge_ipv6(vport_ctx *ctx, const vport_network_def *def, vport_error *err) {
        bool v6 = false;
        int r;

        for (size_t i = 0; i < def->n_ips; i++)
                v6 |= def->ips[i].family == AF_INET6;
        r = ctx->ops->ipv6_conf_set(ctx->kernel, def->bridge_name, "disable_ipv6", !v6, err);
        if (r == -ENOENT && !v6) { /* no IPv6 in this kernel: nothing to turn off */
                vport_error_clear(err);
                return 0;
        }
        if (r >= 0 && v6)
                r = ctx->ops->ipv6_conf_set(ctx->kernel, def->bridge_name, "accept_ra", 0, err);
        if (r >= 0 && v6)
                r = ctx->ops->ipv6_conf_set(ctx->kernel, def->bridge_name, "autoconf", 0, err);
        return r;
}

static int bridge_configure(vport_ctx *ctx, const vport_network_def *def, const vport_link *br,
                            vport_error *err) {
        char buf[VPORT_IPADDR_STRLEN];
        int r = 0;

        if (def->mtu)
                r = ctx->ops->link_set_mtu(ctx->kernel, br->ifindex, def->mtu, err);
        if (r >= 0)
                r = bridge_ipv6(ctx, def, err);
        for (size_t i = 0; r >= 0 && i < def->n_ips; i++)
                if ((r = ctx->ops->addr_add(ctx->kernel, br->ifindex, &def->ips[i], err)) < 0)
                        r = vport_error_prefix(err, r, "<ip address='%s' prefix='%u'>",
                                               ipaddr_format(&def->ips[i], buf), def->ips[i].prefix);
        if (r >= 0)
                r = ctx->ops->link_set_up(ctx->kernel, br->ifindex, true, err);
        return r;
}

/* The record says "prepared" and the network is active, or neither. */
static int bridge_commit(vport_ctx *ctx, const vport_network_def *def, const char *xml,
                         const bridge_record *rec, vport_error *err) {
        int r = store_begin(ctx->store, err);

        if (r < 0)
                return r;
        r = record_put(ctx, def, JOURNAL_STEP_PREPARED, rec, err);
        if (r >= 0)
                r = store_network_activate(ctx->store, def->name, xml, err);
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        return store_commit(ctx->store, err);
}

static int bridge_make(vport_ctx *ctx, const vport_network_def *def, const char *xml, bridge_record *rec,
                       vport_error *err) {
        vport_bridge_request req = { .name = def->bridge_name,
                                     .mac = def->mac,
                                     .stp = def->bridge_stp != 0,
                                     .forward_delay_cs =
                                             def->bridge_delay > 0 ? (uint32_t) def->bridge_delay * 100 : 0,
                                     .group = rec->group };
        vport_link br;
        int r;

        r = ctx->ops->bridge_create(ctx->kernel, &req, &br, err);
        if (r < 0)
                return vport_error_prefix(err, r, "network '%s'", def->name);
        rec->ifindex = br.ifindex;
        r = record_put(ctx, def, JOURNAL_STEP_PREPARING, rec, err);
        /* Known by its ifindex now: back to the default group. */
        if (r >= 0)
                r = ctx->ops->link_set_group(ctx->kernel, br.ifindex, 0, err);
        if (r >= 0)
                r = bridge_configure(ctx, def, &br, err);
        if (r >= 0)
                r = bridge_commit(ctx, def, xml, rec, err);
        return r < 0 ? vport_error_prefix(err, r, "network '%s': bridge %s", def->name, def->bridge_name)
                     : 0;
}

static int abandoned_finish(vport_ctx *ctx, const char *network, net_repaired_fn fn, void *userdata,
                            vport_error *err);

/* Record the name before the bridge is made, unless another vport process
 * is starting or destroying this network right now (its record is live).
 * One transaction, so two net-starts never both go ahead. */
static int record_claim(vport_ctx *ctx, const vport_network_def *def, const bridge_record *rec,
                        vport_error *err) {
        store_net_journal *entries = NULL;
        size_t n = 0;
        int r;

        r = store_begin(ctx->store, err);
        if (r < 0)
                return r;
        r = store_net_journal_list(ctx->store, def->name, &entries, &n, err);
        if (r >= 0 && n > 0) {
                bridge_record other;

                record_parse(&entries[0], &other);
                r = vport_error_set(err, -EBUSY, "network '%s' is being started or destroyed by process %d",
                                    def->name, other.pid);
        }
        store_net_journal_array_free(entries, n);
        if (r >= 0)
                r = record_put(ctx, def, JOURNAL_STEP_PREPARING, rec, err);
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        return store_commit(ctx->store, err);
}

int net_bridge_start(vport_ctx *ctx, const vport_network_def *def, const char *xml, vport_error *err) {
        bridge_record rec = { .mac = def->mac };
        int r;

        assert_return(def->bridge_name && !network_def_bridge_is_template(def), -EINVAL);
        /* what a crashed start or destroy, or an earlier boot, left */
        r = abandoned_finish(ctx, def->name, NULL, NULL, err);
        if (r < 0)
                return r;
        r = device_exists(ctx, def->bridge_name, err);
        if (r > 0)
                return vport_error_set(err, -EEXIST,
                                       "network '%s': a device named '%s' already exists; vport makes the "
                                       "bridge of a%s network itself and never takes over a device it did "
                                       "not make (rename or delete that device, or change <bridge name>)",
                                       def->name, def->bridge_name,
                                       def->forward_mode == FORWARD_OPEN ? "n open" : "n isolated");
        if (r < 0)
                return r;
        snprintf(rec.ifname, sizeof(rec.ifname), "%s", def->bridge_name);
        rec.group = netdev_create_group();
        r = record_claim(ctx, def, &rec, err);
        if (r < 0)
                return r;
        r = bridge_make(ctx, def, xml, &rec, err);
        if (r < 0) {
                /* a failed RTM_NEWLINK made nothing: only a bridge we got an
                 * ifindex for is ours to delete */
                if (rec.ifindex > 0)
                        (void) bridge_remove(ctx, def->name, &rec, NULL);
                (void) store_net_journal_delete(ctx->store, def->name, BRIDGE_KEY, NULL);
        }
        return r;
}

/* ---- destroy and reconcile ---- */

/* Delete the bridge of one record, then forget it and (if asked) mark the
 * network inactive, in one transaction. */
static int record_finish(vport_ctx *ctx, const char *network, const bridge_record *rec, bool deactivate,
                         vport_error *err) {
        int r = bridge_remove(ctx, network, rec, err);

        if (r < 0)
                return r;
        r = store_begin(ctx->store, err);
        if (r < 0)
                return r;
        r = store_net_journal_delete(ctx->store, network, BRIDGE_KEY, err);
        if (r >= 0 && deactivate)
                r = net_destroy_done(ctx, network, err);
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        return store_commit(ctx->store, err);
}

int net_bridge_destroy(vport_ctx *ctx, const vport_network_def *def, vport_error *err) {
        store_net_journal *entries = NULL;
        bridge_record rec = { 0 };
        size_t n = 0;
        bool found = false;
        int r;

        r = store_net_journal_list(ctx->store, def->name, &entries, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && !found; i++)
                if ((found = streq(entries[i].key, BRIDGE_KEY)))
                        record_parse(&entries[i], &rec);
        store_net_journal_array_free(entries, n);
        if (!found) { /* nothing recorded: nothing of ours to delete */
                ctx_notice(ctx, "network '%s': no record of a bridge vport made; none deleted", def->name);
                return net_destroy_done(ctx, def->name, err);
        }
        /* From here a crash is finished by reconcile (dead writer). */
        r = record_put(ctx, def, JOURNAL_STEP_RELEASING, &rec, err);
        if (r < 0)
                return r;
        return record_finish(ctx, def->name, &rec, true, err);
}

/* Entries no live vport process is working on: an earlier boot's, a dead
 * writer's half-way start or destroy, or a finished start whose network is
 * no longer active (its bridge is a leftover). */
static bool entry_abandoned(vport_ctx *ctx, const store_net_journal *j, const bridge_record *rec) {
        _cleanup_(store_network_freep) store_network *net = NULL;

        if (j->stale)
                return true;
        if (!streq(j->step, JOURNAL_STEP_PREPARED))
                return journal_is_abandoned(j->step, rec->pid);
        return store_network_get(ctx->store, j->network, &net, NULL) >= 0 && !net->active;
}

/* Whether finishing an abandoned record is a repair reconcile lists, and
 * which: a dead writer's start undone (its bridge deleted) or destroy
 * finished. An earlier boot's record, or the leftover of a start whose
 * network is no longer active, only has its record dropped. */
static bool abandoned_listed(const store_net_journal *j, vport_repair_kind *ret_kind) {
        *ret_kind = streq(j->step, JOURNAL_STEP_RELEASING) ? VPORT_REPAIR_FINISH_NET_DESTROY
                                                           : VPORT_REPAIR_UNDO_NET_START;
        return !j->stale && !streq(j->step, JOURNAL_STEP_PREPARED);
}

/* Abandoned entries of one network (NULL: all); fn hears of each repair. */
static int abandoned_finish(vport_ctx *ctx, const char *network, net_repaired_fn fn, void *userdata,
                            vport_error *err) {
        store_net_journal *entries = NULL;
        size_t n = 0;
        int r, handled = 0;

        r = store_net_journal_list(ctx->store, network, &entries, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                vport_repair_kind kind;
                bridge_record rec;
                bool listed;

                if (!streq(entries[i].key, BRIDGE_KEY)) /* net-destroy's own entry */
                        continue;
                record_parse(&entries[i], &rec);
                if (!entry_abandoned(ctx, &entries[i], &rec))
                        continue;
                listed = abandoned_listed(&entries[i], &kind);
                /* an earlier boot's bridge died with it: only the record is left */
                if (entries[i].stale)
                        rec = (bridge_record){ 0 };
                /* releasing: net-destroy had begun, the network ends inactive */
                r = record_finish(ctx, entries[i].network, &rec,
                                  streq(entries[i].step, JOURNAL_STEP_RELEASING), err);
                if (r >= 0 && listed && fn)
                        fn(userdata, kind, entries[i].network);
                handled += r >= 0;
        }
        store_net_journal_array_free(entries, n);
        return r < 0 ? r : handled;
}

int net_bridge_forget_abandoned(vport_ctx *ctx, const char *network, vport_error *err) {
        int r = abandoned_finish(ctx, network, NULL, NULL, err);

        return r < 0 ? r : 0;
}

int net_bridge_reconcile(vport_ctx *ctx, net_repaired_fn fn, void *userdata, vport_error *err) {
        return abandoned_finish(ctx, NULL, fn, userdata, err);
}

int net_bridge_recorded(vport_ctx *ctx, const char *network, char ret_ifname[static VPORT_IFNAMSIZ],
                        int *ret_ifindex, vport_error *err) {
        store_net_journal *j = NULL;
        size_t n = 0;
        int r;

        ret_ifname[0] = '\0';
        *ret_ifindex = 0;
        r = store_net_journal_list(ctx->store, network, &j, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                bridge_record rec;

                if (!streq(j[i].key, BRIDGE_KEY) || j[i].stale)
                        continue;
                record_parse(&j[i], &rec);
                snprintf(ret_ifname, VPORT_IFNAMSIZ, "%s", rec.ifname);
                *ret_ifindex = rec.ifindex;
        }
        store_net_journal_array_free(j, n);
        return 0;
}
