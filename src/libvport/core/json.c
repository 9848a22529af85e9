/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ports, networks and VFs as JSON, built from the typed values: one shape
 * per type, for the CLI's --json (and a daemon later). */
#include <limits.h>
#include <stdio.h>

#include <json-c/printbuf.h>

#include "core/internal.h"
#include "core/sriov-internal.h"

/* ---- ports as JSON text ----
 *
 * A port's JSON is written as text, not built as a json-c tree: a listing
 * of 4096 ports spent most of its time making, printing and freeing the
 * tree. The text is byte for byte what json-c prints of the same value
 * with JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE (what the
 * CLI and vportd print; test_port_json_text holds the two together), and
 * vport_port_to_json() is that text parsed: one shape, written once. */

typedef struct jw {
        char *buf;
        size_t len, alloc;
        unsigned depth;
        uint32_t has_member; /* bit d: the container at depth d has a member already */
        bool after_key;      /* a key was written: the value needs no comma */
        bool oom;            /* an append failed: the text is incomplete */
} jw;

/* Room for n more bytes and a NUL; false (and w->oom) if there is none. */
static bool jw_grow(jw *w, size_t n) {
        size_t want = w->alloc ? w->alloc * 2 : 4096;
        char *b;

        if (w->oom)
                return false;
        while (want < w->len + n + 1)
                want *= 2;
        if (!(b = realloc(w->buf, want))) {
                w->oom = true;
                return false;
        }
        w->buf = b;
        w->alloc = want;
        return true;
}

static inline void jw_put(jw *w, const char *s, size_t n) {
        if (w->len + n + 1 > w->alloc && !jw_grow(w, n))
                return;
        memcpy(w->buf + w->len, s, n);
        w->len += n;
}

#define jw_lit(w, s) jw_put(w, s, sizeof(s) - 1)

/* Before a value: a comma unless it is the first in its container. */
static void jw_value(jw *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->depth > 0 && (w->has_member & (1u << w->depth)))
                jw_lit(w, ",");
        w->has_member |= 1u << w->depth;
}

static void jw_open(jw *w, char c) {
        jw_value(w);
        jw_put(w, &c, 1);
        w->depth++;
        w->has_member &= ~(1u << w->depth);
}

static void jw_close(jw *w, char c) {
        w->depth--;
        jw_put(w, &c, 1);
}

/* A string as json-c escapes it: the two-character escapes, other control
 * characters as \u00xx, '/' and every byte from 0x7f kept as they are. */
static void jw_escaped(jw *w, const char *s) {
        static const char short_esc[0x60] = { ['\b'] = 'b', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
                                              ['\f'] = 'f', ['"'] = '"',  ['\\'] = '\\' };
        const char *run = s;

        jw_lit(w, "\"");
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                char e[6] = { '\\', 'u', '0', '0' };
                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                jw_put(w, run, (size_t) (s - run));
                run = s + 1;
                if (short_esc[c]) {
                        e[1] = short_esc[c];
                        jw_put(w, e, 2);
                } else {
                        e[4] = hexchar(c >> 4), e[5] = hexchar(c);
                        jw_put(w, e, 6);
                }
        }
        jw_put(w, run, (size_t) (s - run));
        jw_lit(w, "\"");
}

/* A key of the shape (a literal: nothing to escape). */
static void jw_key(jw *w, const char *key) {
        jw_value(w);
        jw_lit(w, "\"");
        jw_put(w, key, strlen(key));
        jw_lit(w, "\":");
        w->after_key = true;
}

static void jw_str(jw *w, const char *key, const char *s) {
        if (key)
                jw_key(w, key);
        jw_value(w);
        if (s)
                jw_escaped(w, s);
        else
                jw_lit(w, "null");
}

/* As json-c prints an int64 ("%" PRId64), without a printf per number. */
static void jw_int(jw *w, const char *key, int64_t v) {
        uint64_t u = v < 0 ? -(uint64_t) v : (uint64_t) v;
        char num[24], *o = num + sizeof(num);

        if (key)
                jw_key(w, key);
        jw_value(w);
        do
                *--o = (char) ('0' + u % 10);
        while ((u /= 10) > 0);
        if (v < 0)
                *--o = '-';
        jw_put(w, o, (size_t) (num + sizeof(num) - o));
}

static void jw_bool(jw *w, const char *key, bool v) {
        jw_key(w, key);
        jw_value(w);
        if (v)
                jw_lit(w, "true");
        else
                jw_lit(w, "false");
}

static void plug_write(jw *w, const vport_plug *plug) {
        char bdf[VPORT_PCI_STRLEN];
        const char *mtm;

        jw_key(w, "plug");
        jw_open(w, '{');
        jw_str(w, "type", plug_def_type_to_string(plug->type));
        switch (plug->type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                jw_str(w, "bridge", strempty(plug->bridge));
                mtm = mac_table_manager_to_string(plug->mac_table_manager);
                jw_str(w, "macTableManager", mtm ? mtm : "kernel");
                break;
        case PLUG_DIRECT:
                jw_str(w, "dev", strempty(plug->dev));
                jw_str(w, "mode", direct_mode_to_string(plug->mode));
                break;
        case PLUG_HOSTDEV_PCI:
                jw_str(w, "address", pci_addr_format(&plug->addr, bdf));
                jw_bool(w, "managed", plug->managed);
                jw_str(w, "driver", "vfio");
                break;
        default:
                break;
        }
        jw_close(w, '}');
}

/* null, a tag, or [tags] for a trunk */
static void vlan_write(jw *w, const vport_vlan *vlan) {
        jw_key(w, "vlan");
        if (!vlan_is_set(vlan)) {
                jw_str(w, NULL, NULL);
                return;
        }
        if (vlan->n_tags == 1 && !vlan->trunk) {
                jw_int(w, NULL, vlan->tags[0]);
                return;
        }
        jw_open(w, '[');
        for (size_t i = 0; i < vlan->n_tags; i++)
                jw_int(w, NULL, vlan->tags[i]);
        jw_close(w, ']');
}

static void runtime_write(jw *w, const vport_port_runtime *rt) {
        if (rt->ifname[0])
                jw_str(w, "ifname", rt->ifname);
        if (rt->ifindex > 0)
                jw_int(w, "ifindex", rt->ifindex);
        if (rt->tapdev[0])
                jw_str(w, "tapdev", rt->tapdev);
        if (rt->netns[0])
                jw_str(w, "netns", rt->netns);
        if (rt->cifname[0])
                jw_str(w, "container_ifname", rt->cifname);
}

/* The port's shape. degraded: vportd's mark (NULL: none), the last member. */
static void port_write(jw *w, const vport_port *p, const char *degraded) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];

        jw_open(w, '{');
        jw_str(w, "uuid", uuid_format(&p->def->uuid, uuid));
        jw_str(w, "network", p->network);
        jw_key(w, "owner");
        jw_open(w, '{');
        jw_str(w, "name", strempty(p->def->owner_name));
        jw_str(w, "uuid", uuid_format(&p->def->owner_uuid, uuid));
        jw_close(w, '}');
        jw_str(w, "mac", mac_format(&p->def->mac, mac));
        jw_str(w, "portgroup", p->def->group);
        vlan_write(w, &p->def->vlan);
        /* <port isolated> as port-dumpxml shows it (resolved from the
         * portgroup and network); absent when none of them sets it */
        if (p->def->isolated_port != TRISTATE_ABSENT)
                jw_bool(w, "isolated", p->def->isolated_port == TRISTATE_YES);
        jw_str(w, "state", port_state_to_string(p->state));
        jw_int(w, "generation", (int64_t) p->generation);
        if (p->creator_uid >= 0)
                jw_int(w, "creator_uid", p->creator_uid);
        if (p->stale)
                jw_bool(w, "stale", true);
        if (p->damage)
                jw_str(w, "damaged", p->damage);
        jw_str(w, "device", p->device);
        plug_write(w, &p->def->plug);
        runtime_write(w, &p->rt);
        if (degraded)
                jw_str(w, "degraded", degraded);
        jw_close(w, '}');
}

static int jw_finish(jw *w, char **ret, size_t *ret_len) {
        if (w->oom || !w->buf) {
                free(w->buf);
                return -ENOMEM;
        }
        w->buf[w->len] = '\0'; /* jw_put() keeps room for it */
        if (ret_len)
                *ret_len = w->len;
        *ret = w->buf;
        return 0;
}

int vport_ports_json_text(vport_port **p, size_t n, const char *(*degraded)(const vport_port *p), char **ret,
                          size_t *ret_len) {
        jw w = { 0 };

        assert_return(ret && (p || n == 0), -EINVAL);
        jw_open(&w, '[');
        for (size_t i = 0; i < n; i++)
                port_write(&w, p[i], degraded ? degraded(p[i]) : NULL);
        jw_close(&w, ']');
        return jw_finish(&w, ret, ret_len);
}

int vport_port_json_text(const vport_port *p, const char *degraded, char **ret, size_t *ret_len) {
        jw w = { 0 };

        assert_return(p && ret, -EINVAL);
        port_write(&w, p, degraded);
        return jw_finish(&w, ret, ret_len);
}

/* The text as a json-c tree; NULL for lack of memory. */
static json_object *json_from_text(int r, char *text) {
        json_object *o = r < 0 ? NULL : json_tokener_parse(text);

        free(text);
        return o;
}

json_object *vport_port_to_json(const vport_port *p) {
        char *text = NULL;
        int r = vport_port_json_text(p, NULL, &text, NULL);

        return json_from_text(r, text);
}

json_object *vport_ports_to_json(vport_port **p, size_t n) {
        char *text = NULL;
        int r = vport_ports_json_text(p, n, NULL, &text, NULL);

        return json_from_text(r, text);
}

typedef struct verbatim {
        size_t len;
        char *text;
} verbatim;

static int verbatim_print(json_object *o, struct printbuf *pb, int level, int flags) {
        const verbatim *v = json_object_get_userdata(o);

        (void) level, (void) flags;
        return printbuf_memappend(pb, v->text, (int) v->len);
}

static void verbatim_free(json_object *o, void *userdata) {
        verbatim *v = userdata;

        (void) o;
        free(v->text);
        free(v);
}

json_object *vport_json_verbatim(char *text, size_t len) {
        json_object *o = NULL;
        verbatim *v = NULL;

        if (len <= INT_MAX && (v = malloc(sizeof(*v))) && (o = json_object_new_object())) {
                *v = (verbatim){ len, text };
                json_object_set_serializer(o, verbatim_print, v, verbatim_free);
                return o;
        }
        free(v);
        free(text);
        return NULL;
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

static json_object *network_devices_json(const vport_network *n) {
        json_object *a = json_object_new_array();
        char bdf[VPORT_PCI_STRLEN];

        for (size_t i = 0; i < (size_t) vport_network_get_n_devices(n); i++) {
                json_object *d = json_object_new_object();
                json_object_object_add(d, "device", string_or_null(vport_network_device_key(n, i)));
                json_object_object_add(d, "netdev", string_or_null(vport_network_device_netdev(n, i)));
                json_object_object_add(d, "pci", string_or_null(vport_network_device_pci(n, i, bdf)));
                json_object_object_add(d, "connections",
                                       json_object_new_int((int) vport_network_device_connections(n, i)));
                json_object_array_add(a, d);
        }
        return a;
}

json_object *vport_network_to_json(const vport_network *n) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(o, "name", json_object_new_string(vport_network_get_name(n)));
        json_object_object_add(o, "uuid",
                               json_object_new_string(uuid_format(vport_network_get_uuid(n), uuid)));
        json_object_object_add(o, "active", json_object_new_boolean(vport_network_get_active(n)));
        json_object_object_add(o, "autostart", json_object_new_boolean(vport_network_get_autostart(n)));
        if (vport_network_get_forward(n)) {
                json_object_object_add(o, "forward", json_object_new_string(vport_network_get_forward(n)));
                json_object_object_add(o, "plug", json_object_new_string(vport_network_get_plug_type(n)));
        }
        json_object_object_add(o, "ports", json_object_new_int((int) vport_network_get_ports(n)));
        if (vport_network_get_bridge(n))
                json_object_object_add(o, "bridge", json_object_new_string(vport_network_get_bridge(n)));
        if (vport_network_get_n_devices(n) >= 0)
                json_object_object_add(o, "devices", network_devices_json(n));
        return o;
}

static json_object *link_state_json(const vport_vf_info *vi) {
        const char *name = sriov_link_state_to_string(vi->link_state);

        if (!vi->has_link_state)
                return NULL;
        return name ? json_object_new_string(name) : json_object_new_int64(vi->link_state);
}

void sriov_vf_info_to_json(json_object *o, const vport_vf_info *vi) {
        char mac[VPORT_MAC_STRLEN];

        json_object_object_add(
                o, "mac", mac_is_zero(&vi->mac) ? NULL : json_object_new_string(mac_format(&vi->mac, mac)));
        json_object_object_add(o, "vlan", json_object_new_int(vi->vlan));
        json_object_object_add(o, "qos", json_object_new_int(vi->qos));
        json_object_object_add(o, "vlan_proto", json_object_new_int(vi->vlan_proto));
        json_object_object_add(o, "spoofchk",
                               vi->has_spoofchk ? json_object_new_boolean(vi->spoofchk) : NULL);
        json_object_object_add(o, "trust", vi->has_trust ? json_object_new_boolean(vi->trust) : NULL);
        json_object_object_add(o, "link_state", link_state_json(vi));
        json_object_object_add(o, "min_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->min_tx_rate) : NULL);
        json_object_object_add(o, "max_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->max_tx_rate) : NULL);
}

static json_object *field(json_object *o, const char *key) {
        json_object *v = NULL;

        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* An optional integer or boolean: false if null or absent. */
static bool field_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v = field(o, key);

        if (!v)
                return false;
        *ret = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                         : json_object_get_int64(v);
        return true;
}

/* link_state: a name (this shape) or the kernel's integer (the journal's
 * earlier shape). */
static int link_state_from_json(json_object *o, vport_vf_info *vi, vport_error *err) {
        json_object *v = field(o, "link_state");
        int64_t n;
        int r;

        if ((vi->has_link_state = v != NULL) && json_object_is_type(v, json_type_string)) {
                r = sriov_link_state_from_string(json_object_get_string(v));
                if (r < 0)
                        return vport_error_set(err, -EBADMSG,
                                               "VF state: link_state '%s' is not auto, enable or disable",
                                               json_object_get_string(v));
                vi->link_state = (uint32_t) r;
        } else if (vi->has_link_state && field_int(o, "link_state", &n))
                vi->link_state = (uint32_t) n;
        return 0;
}

/* The admin MAC: a string, or null for none (all zero). */
static int admin_mac_from_json(json_object *o, const char *key, vport_mac *ret, vport_error *err) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return vport_error_set(err, -EBADMSG, "VF state: field '%s' missing", key);
        *ret = (vport_mac){ 0 };
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string) || mac_parse(json_object_get_string(v), ret) < 0)
                return vport_error_set(err, -EBADMSG, "VF state: field '%s' = '%s' is not a MAC", key,
                                       json_object_get_string(v));
        return 0;
}

int sriov_vf_info_from_json(json_object *o, const char *admin_key, vport_vf_info *ret, vport_error *err) {
        int64_t v = 0, w = 0;
        int r;

        ret->vlan = field_int(o, "vlan", &v) ? (uint16_t) v : 0;
        ret->qos = field_int(o, "qos", &v) ? (uint16_t) v : 0;
        ret->vlan_proto = field_int(o, "vlan_proto", &v) ? (uint16_t) v : 0;
        if ((ret->has_spoofchk = field_int(o, "spoofchk", &v)))
                ret->spoofchk = v;
        if ((ret->has_trust = field_int(o, "trust", &v)))
                ret->trust = v;
        if ((ret->has_rate = field_int(o, "min_tx_rate", &v) && field_int(o, "max_tx_rate", &w))) {
                ret->min_tx_rate = (uint32_t) v;
                ret->max_tx_rate = (uint32_t) w;
        }
        r = link_state_from_json(o, ret, err);
        return r < 0 ? r : admin_mac_from_json(o, admin_key, &ret->mac, err);
}

json_object *vport_vf_to_json(const vport_vf *vf) {
        json_object *o = json_object_new_object();
        char bdf[VPORT_PCI_STRLEN], uuid[VPORT_UUID_STRLEN];
        const vport_uuid *port = vport_vf_get_port(vf);

        json_object_object_add(o, "vf", json_object_new_int(vport_vf_get_index(vf)));
        json_object_object_add(o, "pf", json_object_new_string(vport_vf_get_pf(vf)));
        json_object_object_add(o, "pci", json_object_new_string(vport_vf_get_pci(vf, bdf)));
        json_object_object_add(o, "netdev", string_or_null(vport_vf_get_netdev(vf)));
        json_object_object_add(o, "driver", string_or_null(vport_vf_get_driver(vf)));
        if (sriov_vf_get_info(vf)) /* the PF's VF table has an entry */
                sriov_vf_info_to_json(o, sriov_vf_get_info(vf));
        json_object_object_add(o, "port", port ? json_object_new_string(uuid_format(port, uuid)) : NULL);
        return o;
}

static json_object *vport_repair_to_json(const vport_repair *r) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(
                o, "kind", json_object_new_string(vport_repair_kind_to_string(vport_repair_get_kind(r))));
        if (vport_repair_get_port(r))
                json_object_object_add(o, "port",
                                       json_object_new_string(uuid_format(vport_repair_get_port(r), uuid)));
        else if (vport_repair_get_network(r))
                json_object_object_add(o, "network", json_object_new_string(vport_repair_get_network(r)));
        else
                json_object_object_add(o, "stale_ports", json_object_new_int64(vport_repair_get_count(r)));
        json_object_object_add(o, "action", json_object_new_string(vport_repair_get_action(r)));
        return o;
}

static json_object *vport_drift_item_to_json(const vport_drift_item *d) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(
                o, "kind", json_object_new_string(vport_drift_kind_to_string(vport_drift_item_get_kind(d))));
        if (vport_drift_item_get_port(d)) {
                json_object_object_add(
                        o, "port", json_object_new_string(uuid_format(vport_drift_item_get_port(d), uuid)));
                json_object_object_add(o, "owner",
                                       json_object_new_string(strempty(vport_drift_item_get_owner(d))));
        }
        if (vport_drift_item_get_network(d))
                json_object_object_add(o, "network",
                                       json_object_new_string(vport_drift_item_get_network(d)));
        json_object_object_add(o, "device", json_object_new_string(vport_drift_item_get_device(d)));
        json_object_object_add(o, "detail", json_object_new_string(vport_drift_item_get_detail(d)));
        return o;
}

static json_object *vport_repairs_to_json(vport_repair **r, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_repair_to_json(r[i]));
        return a;
}

static json_object *vport_drift_items_to_json(vport_drift_item **d, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_drift_item_to_json(d[i]));
        return a;
}

json_object *vport_reconcile_report_to_json(int handled, vport_repair **r, size_t n_r, vport_drift_item **d,
                                            size_t n_d) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "handled", json_object_new_int(handled));
        json_object_object_add(o, "repaired", vport_repairs_to_json(r, n_r));
        json_object_object_add(o, "drift", vport_drift_items_to_json(d, n_d));
        return o;
}

/* The small results of the verbs that change state, shared by the CLI's
 * --json and vportd's replies. */
json_object *vport_name_result_json(const char *key, const char *name, const char *flag, bool value) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        if (flag)
                json_object_object_add(o, flag, json_object_new_boolean(value));
        return o;
}

json_object *vport_count_result_json(const char *key, const char *name, const char *counter, int n) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        json_object_object_add(o, counter, json_object_new_int(n));
        return o;
}

json_object *vport_xml_result_json(const char *key, const char *name, const char *xml) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        json_object_object_add(o, "xml", json_object_new_string(xml));
        return o;
}

json_object *vport_net_destroy_result_json(const char *name, bool destroyed, vport_port **ports, size_t n) {
        json_object *o = vport_name_result_json("name", name, "destroyed", destroyed);

        json_object_object_add(o, "ports", vport_ports_to_json(ports, n));
        return o;
}

json_object *vport_vfs_to_json(vport_vf **vfs, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_vf_to_json(vfs[i]));
        return a;
}
