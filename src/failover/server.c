/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's varlink interface, io.vport.Failover: Add, List, Detach,
 * Remove. Each method checks its parameters, changes the pair and saves the
 * state before it replies, so a reply means "done" (Detach: the data path
 * is already back on the synthetic device when the caller hears it). */
#include <stdio.h>

#include "failover.h"

#define IFACE "io.vport.Failover."

/* A method's answer: parameters, and the error's name when it failed. */
typedef struct fo_reply {
        const char *error;
        json_object *params;
} fo_reply;

static fo_reply reply_error(const char *error, const char *param, const char *message) {
        json_object *p = json_object_new_object();

        if (param)
                json_object_object_add(p, "parameter", json_object_new_string(param));
        json_object_object_add(p, "message", json_object_new_string(message));
        return (fo_reply){ .error = error, .params = p };
}

static fo_reply reply_ok(json_object *params) {
        return (fo_reply){ .params = params };
}

static const char *param_string(json_object *params, const char *key) {
        json_object *v;

        if (!params || !json_object_object_get_ex(params, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* The pair named by the "synthetic" parameter, or an error reply. */
static fo_pair *pair_param(fo_agent *a, json_object *params, fo_reply *ret_error) {
        const char *synth = param_string(params, "synthetic");
        vport_error e = {};
        char msg[VPORT_ERROR_MAX + 64];
        fo_pair *p;

        if (!synth || ifname_check(synth, &e) < 0) {
                snprintf(msg, sizeof(msg), "synthetic: %s", synth ? e.message : "missing");
                *ret_error = reply_error(IFACE "InvalidParameter", "synthetic", msg);
                return NULL;
        }
        p = fo_agent_find(a, synth);
        if (!p) {
                snprintf(msg, sizeof(msg), "%s: no such pair", synth);
                *ret_error = reply_error(IFACE "NoSuchPair", "synthetic", msg);
        }
        return p;
}

static fo_reply method_add(fo_agent *a, json_object *params) {
        const char *synth = param_string(params, "synthetic"), *pci = param_string(params, "vf_pci");
        vport_error e = {};
        char msg[VPORT_ERROR_MAX + 64];
        fo_pair p = { .synth_up = -1 };

        if (!synth || ifname_check(synth, &e) < 0) {
                snprintf(msg, sizeof(msg), "synthetic: %s", synth ? e.message : "missing");
                return reply_error(IFACE "InvalidParameter", "synthetic", msg);
        }
        if (pci && pci_addr_parse(pci, &p.vf_pci) < 0) {
                snprintf(msg, sizeof(msg), "vf_pci '%s': not a PCI address (DDDD:BB:SS.F)", pci);
                return reply_error(IFACE "InvalidParameter", "vf_pci", msg);
        }
        if (fo_agent_find(a, synth)) {
                snprintf(msg, sizeof(msg), "%s: already a pair", synth);
                return reply_error(IFACE "PairExists", "synthetic", msg);
        }
        for (size_t i = 0; i < a->n_pairs; i++)
                if (streq(a->pairs[i].vf_name, synth)) {
                        snprintf(msg, sizeof(msg), "%s: already the VF of %s", synth, a->pairs[i].synth);
                        return reply_error(IFACE "PairExists", "synthetic", msg);
                }
        if (a->n_pairs == FO_MAX_PAIRS)
                return reply_error(IFACE "Failed", NULL, "too many pairs");
        snprintf(p.synth, sizeof(p.synth), "%s", synth);
        p.has_vf_pci = pci != NULL;
        a->pairs[a->n_pairs++] = p;
        if (fo_state_save(a, &e) < 0) {
                a->n_pairs--;
                return reply_error(IFACE "Failed", NULL, e.message);
        }
        fo_log("%s: pair added", synth);
        (void) fo_agent_sync_all(a);
        return reply_ok(fo_pair_to_json(fo_agent_find(a, synth)));
}

static fo_reply method_list(fo_agent *a, json_object *params) {
        json_object *arr = json_object_new_array(), *o = json_object_new_object();

        (void) fo_agent_sync_all(a);
        for (size_t i = 0; i < a->n_pairs; i++)
                json_object_array_add(arr, fo_pair_to_json(&a->pairs[i]));
        json_object_object_add(o, "pairs", arr);
        return reply_ok(o);
}

static fo_reply method_detach(fo_agent *a, json_object *params) {
        fo_reply error = {};
        fo_pair *p = pair_param(a, params, &error);
        vport_error e = {};

        if (!p)
                return error;
        if (fo_pair_release(a, p, true, &e) < 0)
                return reply_error(IFACE "Failed", NULL, e.message);
        (void) fo_state_save(a, NULL);
        return reply_ok(fo_pair_to_json(p));
}

static fo_reply method_remove(fo_agent *a, json_object *params) {
        fo_reply error = {};
        fo_pair *p = pair_param(a, params, &error);
        vport_error e = {};
        size_t i;

        if (!p)
                return error;
        if (fo_pair_release(a, p, false, &e) < 0)
                return reply_error(IFACE "Failed", NULL, e.message);
        fo_log("%s: pair removed", p->synth);
        i = (size_t) (p - a->pairs);
        memmove(&a->pairs[i], &a->pairs[i + 1], (a->n_pairs - i - 1) * sizeof(*p));
        a->n_pairs--;
        (void) fo_state_save(a, NULL);
        return reply_ok(NULL);
}

static const struct {
        const char *name;
        fo_reply (*fn)(fo_agent *a, json_object *params);
} methods[] = {
        { IFACE "Add", method_add },
        { IFACE "List", method_list },
        { IFACE "Detach", method_detach },
        { IFACE "Remove", method_remove },
};

int fo_server_handle(fo_agent *a, const vl_call *call, char **out, size_t *out_len) {
        fo_reply r = {};
        size_t i;

        for (i = 0; i < ELEMENTSOF(methods); i++)
                if (streq(methods[i].name, call->method))
                        break;
        if (i < ELEMENTSOF(methods))
                r = methods[i].fn(a, call->parameters);
        else
                r = reply_error("org.varlink.service.MethodNotFound", "method", call->method);
        if (call->oneway) {
                json_object_put(r.params);
                return 0;
        }
        if (r.error)
                return vl_error_append(out, out_len, r.error, r.params);
        return vl_reply_append(out, out_len, r.params, false);
}
