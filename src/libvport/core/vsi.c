/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "core/vsi.h"

#define VSI_STATE_REQUESTED     "requested"
#define VSI_STATE_PREASSOCIATED "preassociated"
#define VSI_STATE_ASSOCIATED    "associated"

bool port_has_vsi(const vport_port *port) {
        const vport_virtualport *vp = port->def->virtualport;

        return vp && (vp->type == VIRTUALPORT_8021QBG || vp->type == VIRTUALPORT_8021QBH);
}

static void vsi_key(const vport_port *port, char buf[static 48]) {
        char u[VPORT_UUID_STRLEN];

        snprintf(buf, 48, "vsi:%s", uuid_format(&port->def->uuid, u));
}

/* 802.1Qbg: the VSI is the virtualport's instance, filtered on the guest
 * MAC and VLAN (0: untagged). 802.1Qbh: the profile, for the VM (the
 * owner's UUID) on this host. */
static void vsi_build(const vport_port *port, const vsi_target *t, vport_vsi *ret) {
        const vport_virtualport *vp = port->def->virtualport;
        const vport_vlan *vlan = &port->def->vlan;

        *ret = (vport_vsi){
                .qbh = vp->type == VIRTUALPORT_8021QBH,
                .ifindex = t->ifindex,
                .vf = t->vf,
                .has_mac = true,
                .mac = port->def->mac,
                .manager_id = vp->manager_id,
                .type_id = vp->type_id,
                .type_id_version = vp->type_id_version,
        };
        snprintf(ret->ifname, sizeof(ret->ifname), "%s", t->ifname);
        if (ret->qbh) {
                ret->vlan = -1;
                ret->instance = port->def->owner_uuid;
                snprintf(ret->profile, sizeof(ret->profile), "%s", vp->profile_id);
        } else {
                ret->vlan = vlan_is_set(vlan) && vlan->n_tags == 1 ? vlan->tags[0] : 0;
                ret->instance = vp->instance_id;
        }
}

/* ended: the switch ended the association and asking again failed (kept
 * until a request succeeds), so drift can say so without asking lldpad. */
static json_object *vsi_to_json(const vport_vsi *v, const char *state, bool ended) {
        json_object *o = json_object_new_object();
        char s[VPORT_UUID_STRLEN];

        json_object_object_add(o, "ifindex", json_object_new_int(v->ifindex));
        json_object_object_add(o, "ifname", json_object_new_string(v->ifname));
        json_object_object_add(o, "vf", json_object_new_int(v->vf));
        json_object_object_add(o, "state", json_object_new_string(state));
        if (ended)
                json_object_object_add(o, "ended", json_object_new_boolean(true));
        /* the rest comes from the port's definition, which cannot change */
        json_object_object_add(o, "instance", json_object_new_string(uuid_format(&v->instance, s)));
        return o;
}

static int journal_vsi(vport_ctx *ctx, const vport_port *port, const vport_vsi *v, const char *step,
                       const char *state, bool ended, vport_error *err) {
        json_object *o = vsi_to_json(v, state, ended);
        char key[48];
        int r;

        vsi_key(port, key);
        r = journal_put(ctx, port, key, step, o, err);
        json_object_put(o);
        return r;
}

/* The journaled target, state and whether the switch ended it (ret_ended
 * may be NULL): 1, or 0 if there is none (the port holds no association:
 * most callers have nothing to do), or -errno. */
static int journal_vsi_read(vport_ctx *ctx, const vport_port *port, vsi_target *t, char *state, size_t size,
                            bool *ret_ended, vport_error *err) {
        json_object *o = NULL, *f;
        char key[48];
        int r;

        vsi_key(port, key);
        r = journal_get(ctx, port, key, &o, NULL, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        *t = (vsi_target){ .vf = -1 };
        if (json_object_object_get_ex(o, "ifindex", &f))
                t->ifindex = json_object_get_int(f);
        if (json_object_object_get_ex(o, "ifname", &f))
                snprintf(t->ifname, sizeof(t->ifname), "%s", json_object_get_string(f));
        if (json_object_object_get_ex(o, "vf", &f))
                t->vf = json_object_get_int(f);
        snprintf(state, size, "%s",
                 json_object_object_get_ex(o, "state", &f) ? json_object_get_string(f) : "");
        if (ret_ended)
                *ret_ended = json_object_object_get_ex(o, "ended", &f) && json_object_get_boolean(f);
        json_object_put(o);
        return 1;
}

static vport_vsi_request associate_request(const vport_vsi *v, unsigned flags) {
        if (!(flags & VPORT_PORT_INCOMING))
                return VSI_ASSOCIATE;
        return v->qbh ? VSI_PREASSOCIATE_RR : VSI_PREASSOCIATE;
}

int port_vsi_associate(vport_ctx *ctx, vport_port *port, const vsi_target *t, unsigned flags,
                       vport_error *err) {
        vport_vsi v;
        vport_vsi_request req;
        char key[48];
        bool sent = false;
        int r;

        if (!port_has_vsi(port))
                return 0;
        vsi_build(port, t, &v);
        req = associate_request(&v, flags);
        /* Recorded first: a crash while the switch takes it leaves an
         * entry that delete or reconcile disassociates. */
        r = journal_vsi(ctx, port, &v, JOURNAL_STEP_PREPARING, VSI_STATE_REQUESTED, false, err);
        if (r < 0)
                return r;
        r = ctx->ops->vsi_request(ctx->kernel, &v, req, &sent, err);
        if (r >= 0)
                return journal_vsi(ctx, port, &v, JOURNAL_STEP_PREPARED,
                                   req == VSI_ASSOCIATE ? VSI_STATE_ASSOCIATED : VSI_STATE_PREASSOCIATED,
                                   false, err);
        /* Taken but failed (refused, no answer): the switch may hold
         * something; tell it to let go. Refused outright: nothing to undo. */
        if (sent)
                (void) ctx->ops->vsi_request(ctx->kernel, &v, VSI_DISASSOCIATE, NULL, NULL);
        vsi_key(port, key);
        (void) journal_delete(ctx, port, key, NULL);
        return r;
}

int port_vsi_activate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        char state[32];
        vsi_target t;
        vport_vsi v;
        int r;

        if (!port_has_vsi(port))
                return 0;
        r = journal_vsi_read(ctx, port, &t, state, sizeof(state), NULL, err);
        if (r <= 0 || !streq(state, VSI_STATE_PREASSOCIATED))
                return r < 0 ? r : 0;
        vsi_build(port, &t, &v);
        r = ctx->ops->vsi_request(ctx->kernel, &v, VSI_ASSOCIATE, NULL, err);
        if (r < 0)
                return r;
        return journal_vsi(ctx, port, &v, JOURNAL_STEP_PREPARED, VSI_STATE_ASSOCIATED, false, err);
}

int port_vsi_release(vport_ctx *ctx, vport_port *port, vport_error *err) {
        vport_error e = { 0 };
        char state[32], key[48], u[VPORT_UUID_STRLEN];
        vsi_target t;
        vport_vsi v;
        int r;

        r = journal_vsi_read(ctx, port, &t, state, sizeof(state), NULL, err);
        if (r <= 0)
                return r;
        vsi_key(port, key);
        if (port->def->virtualport && port_has_vsi(port)) {
                vsi_build(port, &t, &v);
                r = journal_vsi(ctx, port, &v, JOURNAL_STEP_RELEASING, state, false, err);
                if (r < 0)
                        return r;
                r = ctx->ops->vsi_request(ctx->kernel, &v, VSI_DISASSOCIATE, NULL, &e);
                /* lldpad or the uplink gone, a switch that does not answer:
                 * the association ends with them (lldpad times it out), and
                 * the port must still be deletable. */
                if (r < 0)
                        ctx_notice(ctx, "port %s: disassociating left to the switch: %s",
                                   uuid_format(&port->def->uuid, u), vport_error_message(&e, r));
        }
        return journal_delete(ctx, port, key, err);
}

/* An entry that records another instance cannot be the one: skipped
 * without loading its port (entries without the field are loaded). */
static bool entry_other_instance(const store_journal *j, const vport_uuid *instance) {
        json_object *o = j->data ? json_tokener_parse(j->data) : NULL, *f;
        vport_uuid u;
        bool other = false;

        if (o && json_object_object_get_ex(o, "instance", &f) &&
            uuid_parse(json_object_get_string(f), &u) >= 0)
                other = !uuid_equal(&u, instance);
        json_object_put(o);
        return other;
}

/* The live port whose journal holds a VSI with this instance: the VSI
 * entries only (by the index on key), one port loaded, not every entry on
 * the host and a port load for each (a switch's event is about one port). */
static int find_port_of_instance(vport_ctx *ctx, const vport_uuid *instance, vport_port **ret,
                                 vport_error *err) {
        store_journal *entries = NULL;
        size_t n = 0;
        int r;

        r = store_journal_list_prefix(ctx->store, "vsi:", &entries, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                vport_port *p = NULL;

                if (entry_other_instance(&entries[i], instance))
                        continue;
                if (port_load(ctx, &entries[i].port_uuid, &p, NULL) < 0)
                        continue;
                if (port_has_vsi(p) && p->def->virtualport->type == VIRTUALPORT_8021QBG &&
                    uuid_equal(&p->def->virtualport->instance_id, instance)) {
                        *ret = p;
                        store_journal_array_free(entries, n);
                        return 1;
                }
                vport_port_free(p);
        }
        store_journal_array_free(entries, n);
        return r < 0 ? r : 0;
}

/* (Pre-)associate again what the journal says the port holds. */
static int reassociate(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char state[32], u[VPORT_UUID_STRLEN];
        bool ended = false;
        vsi_target t;
        vport_vsi v;
        int r;

        if (!port_has_vsi(port))
                return 0;
        r = journal_vsi_read(ctx, port, &t, state, sizeof(state), &ended, err);
        if (r <= 0 || streq(state, VSI_STATE_REQUESTED))
                return r < 0 ? r : 0; /* a request of ours is under way: it decides */
        vsi_build(port, &t, &v);
        r = ctx->ops->vsi_request(ctx->kernel, &v,
                                  streq(state, VSI_STATE_ASSOCIATED) ? VSI_ASSOCIATE
                                  : v.qbh                            ? VSI_PREASSOCIATE_RR
                                                                     : VSI_PREASSOCIATE,
                                  NULL, err);
        /* A failure marks the association ended (drift reports it), a
         * success clears the mark; best effort: the request's outcome is
         * what the caller hears. */
        if (r < 0 || ended)
                (void) journal_vsi(ctx, port, &v, JOURNAL_STEP_PREPARED, state, r < 0, NULL);
        if (r < 0)
                return vport_error_prefix(err, r, "port %s: re-associating after the switch ended it",
                                          uuid_format(&port->def->uuid, u));
        return 1;
}

int port_vsi_ended(vport_ctx *ctx, const vport_port *port, char ret_uplink[static VPORT_IFNAMSIZ],
                   vport_error *err) {
        char state[32];
        bool ended = false;
        vsi_target t;
        int r;

        if (!port_has_vsi(port))
                return 0;
        r = journal_vsi_read(ctx, port, &t, state, sizeof(state), &ended, err);
        if (r <= 0 || !ended)
                return r < 0 ? r : 0;
        snprintf(ret_uplink, VPORT_IFNAMSIZ, "%s", t.ifname);
        return 1;
}

int port_vsi_reassociate(vport_ctx *ctx, const vport_vsi_event *ev, vport_uuid *ret_port, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && ev, -EINVAL);
        r = find_port_of_instance(ctx, &ev->instance, &port, err);
        if (r <= 0)
                return r;
        if (ret_port)
                *ret_port = port->def->uuid;
        return reassociate(ctx, port, err);
}

int vport_port_reassociate(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = port_load(ctx, uuid, &port, err);
        return r < 0 ? r : reassociate(ctx, port, err);
}

int vport_vsi_event_fd(vport_ctx *ctx, vport_error *err) {
        assert_return(ctx, -EINVAL);
        return kernel_vsi_event_fd(ctx->kernel, err);
}

int vport_vsi_events_process(vport_ctx *ctx, vport_vsi_event_fn fn, void *userdata, vport_error *err) {
        vport_vsi_event ev;
        int r, handled = 0;

        assert_return(ctx, -EINVAL);
        while ((r = ctx->ops->vsi_event_next(ctx->kernel, &ev, err)) > 0) {
                vport_error e = { 0 };
                vport_uuid port;
                int q = port_vsi_reassociate(ctx, &ev, &port, &e);

                if (q == 0)
                        continue; /* not one of our ports (any more) */
                handled++;
                if (fn)
                        fn(&port, q < 0 ? q : 0, q < 0 ? vport_error_message(&e, q) : NULL, userdata);
        }
        return r < 0 ? r : handled;
}
