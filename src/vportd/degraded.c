/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "degraded.h"

/* A linear list: a host has few degraded ports at a time, and a lookup per
 * port listed must cost nothing when there are none. */
typedef struct mark {
        vport_uuid uuid;
        int ifindex; /* of the port's interface when it was marked */
        char *reason;
} mark;

static mark *marks;
static size_t n_marks;

static mark *find(const vport_port *p) {
        for (size_t i = 0; i < n_marks; i++)
                if (!memcmp(&marks[i].uuid, vport_port_get_uuid(p), sizeof(vport_uuid)))
                        return &marks[i];
        return NULL;
}

int vd_degraded_mark(const vport_port *p, const char *reason) {
        mark *m = find(p), *n;
        char *s = strdup(reason);

        if (!s)
                return -ENOMEM;
        if (!m) {
                n = realloc(marks, (n_marks + 1) * sizeof(*marks));
                if (!n) {
                        free(s);
                        return -ENOMEM;
                }
                marks = n;
                m = &marks[n_marks++];
                m->uuid = *vport_port_get_uuid(p);
        } else
                free(m->reason);
        m->ifindex = vport_port_get_ifindex(p);
        m->reason = s;
        return 0;
}

const char *vd_degraded_reason(const vport_port *p) {
        mark *m = n_marks ? find(p) : NULL;

        return m && m->ifindex == vport_port_get_ifindex(p) ? m->reason : NULL;
}

void vd_degraded_clear(void) {
        for (size_t i = 0; i < n_marks; i++)
                free(marks[i].reason);
        free(marks);
        marks = NULL, n_marks = 0;
}

/* Written, not built as a json-c tree from the text and printed again:
 * the tree cost a port-create half as many instructions as the rest of
 * the daemon's own work (the port's text written and parsed, twice). */
json_object *vd_port_json(const vport_port *p) {
        char *text = NULL;
        size_t len = 0;

        if (vport_port_json_text(p, vd_degraded_reason(p), &text, &len) < 0)
                return NULL;
        return vport_json_verbatim(text, len);
}

static void (*network_started_fn)(const char *name);

void vd_network_started_register(void (*fn)(const char *name)) {
        network_started_fn = fn;
}

void vd_network_started(vd_server *s, const char *name) {
        (void) s;
        if (network_started_fn && name)
                network_started_fn(name);
}
