/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ports as the store keeps them: the <networkport> XML, the lifecycle state
 * and what prepare made (runtime JSON). */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "base/names.h"
#include "core/container.h"
#include "core/internal.h"

static const char *const port_state_table[_PORT_STATE_MAX] = {
        [PORT_STATE_ALLOCATED] = "allocated",
        [PORT_STATE_PREPARED] = "prepared",
        [PORT_STATE_ACTIVE] = "active",
};

DEFINE_STRING_TABLE_LOOKUP(port_state, vport_port_state);

void vport_port_free(vport_port *p) {
        if (!p)
                return;
        if (p->packed) { /* a listed port: one block (port-summary.c) */
                free(p);
                return;
        }
        port_def_free(p->def);
        free(p->def_xml);
        free(p->def_summary);
        free(p->damage);
        free(p->network);
        free(p->device);
        free(p);
}

void vport_port_array_free(vport_port **p, size_t n) {
        for (size_t i = 0; p && i < n; i++)
                vport_port_free(p[i]);
        free(p);
}

/* The state file is input too: a name in it that vport would never have
 * written (edited, damaged) is dropped rather than printed or put in a
 * document; the devices are found through the journal, not these names. */
static void runtime_drop_bad_names(vport_port_runtime *rt) {
        char *names[] = { rt->ifname, rt->lower, rt->vf_netdev, rt->cifname };
        unsigned tap;
        int end = 0;

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i][0] && ifname_check(names[i], NULL) < 0)
                        names[i][0] = '\0';
        if (rt->tapdev[0] &&
            (sscanf(rt->tapdev, "/dev/tap%u%n", &tap, &end) != 1 || rt->tapdev[end] != '\0'))
                rt->tapdev[0] = '\0';
        if (rt->netns[0] && container_netns_check(rt->netns, NULL) < 0)
                rt->netns[0] = '\0';
}

/* The runtime's members: strings copied (cut to the field), integers. */
#define RT_STRING(key, field) \
        { key, offsetof(vport_port_runtime, field), sizeof(((vport_port_runtime *) 0)->field) }
#define RT_INT(key, field) \
        { key, offsetof(vport_port_runtime, field), 0 }
static const struct runtime_field {
        const char *key;
        size_t offset, size; /* size 0: an int */
} runtime_fields[] = {
        RT_STRING("ifname", ifname),
        RT_INT("ifindex", ifindex),
        RT_STRING("tapdev", tapdev),
        RT_STRING("lower", lower),
        RT_INT("lower_ifindex", lower_ifindex),
        RT_STRING("vf_netdev", vf_netdev),
        RT_STRING("netns", netns),
        RT_STRING("container_ifname", cifname),
};

static const struct runtime_field *runtime_field(const char *key, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(runtime_fields); i++)
                if (strlen(runtime_fields[i].key) == len && memcmp(runtime_fields[i].key, key, len) == 0)
                        return &runtime_fields[i];
        return NULL;
}

/* Past one JSON string (c at its opening quote) with no escape in it, or NULL. */
static const char *flat_string_end(const char *c) {
        const char *end = strpbrk(c + 1, "\"\\");

        return end && *end == '"' ? end + 1 : NULL;
}

/* One flat JSON object as vport writes them ({"key":value,...}: no
 * whitespace, no escape in a key): value(key, klen, v, userdata) reads or
 * skips the member's value at v and returns its end, or NULL if it cannot.
 * True if the whole text is that object and every value was read: the
 * runtime column and the journal's records are read this way, json-c only
 * for anything else. */
static bool flat_object_read(const char *c,
                             const char *(*value)(const char *key, size_t klen, const char *v,
                                                  void *userdata),
                             void *userdata) {
        if (*c++ != '{')
                return false;
        if (*c == '}')
                return c[1] == '\0';
        for (;;) {
                const char *end = *c == '"' ? flat_string_end(c) : NULL;

                if (!end || *end != ':')
                        return false;
                c = value(c + 1, (size_t) (end - c - 2), end + 1, userdata);
                if (!c)
                        return false;
                if (*c == '}')
                        return c[1] == '\0';
                if (*c++ != ',')
                        return false;
        }
}

/* A string member of the flat object runtime_to_json() writes: its text up
 * to the closing quote, where only json-c's '\/' is escaped. Copies it
 * (cut to size, '\/' as '/') into out unless out is NULL; returns the end,
 * or NULL for anything else (another escape, a control character). */
static const char *runtime_flat_string(const char *c, char *out, size_t size) {
        size_t n = 0;

        for (; *c != '"'; c++) {
                if ((unsigned char) *c < 0x20 || (*c == '\\' && *++c != '/'))
                        return NULL;
                if (out && n + 1 < size)
                        out[n++] = *c;
        }
        if (out)
                out[n] = '\0';
        return c + 1;
}

/* An integer member as json-c writes one: at most 9 digits (no overflow),
 * no leading zero. */
static const char *runtime_flat_int(const char *c, int *out) {
        bool neg = *c == '-';
        const char *start = c + neg;
        int v = 0;

        for (c = start; *c >= '0' && *c <= '9'; c++) {
                if (c - start == 9 || (c - start == 1 && *start == '0'))
                        return NULL;
                v = v * 10 + (*c - '0');
        }
        if (c == start)
                return NULL;
        if (out)
                *out = neg ? -v : v;
        return c;
}

/* The runtime as runtime_to_json() writes it ({"ifname":"vnet3","ifindex":57}),
 * read without building a json-c object: a listing reads one per prepared
 * port, and json-c's parse of one was ~9000 instructions. Returns false for
 * anything else (a member of another type, an escape), which is then read
 * by json-c; rt may be partly filled then. */
static const char *runtime_member(const char *key, size_t klen, const char *v, void *userdata) {
        vport_port_runtime *rt = userdata;
        const struct runtime_field *f = runtime_field(key, klen);

        if (*v == '"' && (!f || f->size))
                return runtime_flat_string(v + 1, f ? (char *) rt + f->offset : NULL, f ? f->size : 0);
        if (*v != '"' && (!f || !f->size))
                return runtime_flat_int(v, f ? (int *) ((char *) rt + f->offset) : NULL);
        return NULL;
}

static bool runtime_read_flat(const char *c, vport_port_runtime *rt) {
        return flat_object_read(c, runtime_member, rt);
}

static void runtime_read_json_c(json_tokener *tok, const char *text, vport_port_runtime *rt) {
        json_object *o = NULL, *v;

        *rt = (vport_port_runtime){ 0 };
        if (!tok)
                o = json_tokener_parse(text);
        else {
                json_tokener_reset(tok);
                o = json_tokener_parse_ex(tok, text, -1);
                if (json_tokener_get_error(tok) != json_tokener_success) {
                        json_object_put(o);
                        o = NULL;
                }
        }
        for (size_t i = 0; o && i < ELEMENTSOF(runtime_fields); i++) {
                const struct runtime_field *f = &runtime_fields[i];
                if (!json_object_object_get_ex(o, f->key, &v))
                        continue;
                if (f->size)
                        snprintf((char *) rt + f->offset, f->size, "%s", json_object_get_string(v));
                else
                        *(int *) ((char *) rt + f->offset) = json_object_get_int(v);
        }
        json_object_put(o);
}

/* The tokener is reused across a listing's rows (NULL: one of its own); a
 * port that was never prepared has "{}", which needs no parse. */
void port_runtime_from_json(json_tokener *tok, const char *text, vport_port_runtime *rt) {
        *rt = (vport_port_runtime){ 0 };
        if (!text)
                return;
        if (!runtime_read_flat(text, rt))
                runtime_read_json_c(tok, text, rt);
        runtime_drop_bad_names(rt);
}

/* Returns a new object with the fields that are set (possibly empty). */
static json_object *runtime_to_json(const vport_port_runtime *rt) {
        json_object *o = json_object_new_object();

        if (rt->ifname[0])
                json_object_object_add(o, "ifname", json_object_new_string(rt->ifname));
        if (rt->ifindex > 0)
                json_object_object_add(o, "ifindex", json_object_new_int(rt->ifindex));
        if (rt->tapdev[0])
                json_object_object_add(o, "tapdev", json_object_new_string(rt->tapdev));
        if (rt->lower[0])
                json_object_object_add(o, "lower", json_object_new_string(rt->lower));
        if (rt->lower_ifindex > 0)
                json_object_object_add(o, "lower_ifindex", json_object_new_int(rt->lower_ifindex));
        if (rt->vf_netdev[0])
                json_object_object_add(o, "vf_netdev", json_object_new_string(rt->vf_netdev));
        if (rt->netns[0])
                json_object_object_add(o, "netns", json_object_new_string(rt->netns));
        if (rt->cifname[0])
                json_object_object_add(o, "container_ifname", json_object_new_string(rt->cifname));
        return o;
}

/* The def of a port whose stored XML cannot be read, from the row's own
 * columns: enough to find, deactivate and release what it holds (keys,
 * MAC, plug type, pool device); port_damaged_refine() adds what only the
 * journal knows. */
static int def_from_columns(const store_port *row, const vport_port_runtime *rt, vport_port_def **ret) {
        _cleanup_(port_def_freep) vport_port_def *def = port_def_new();
        int t = plug_def_type_from_string(row->plug_type);

        if (!def || !(def->owner_name = strdup(strempty(row->owner_name))) ||
            (row->portgroup && !(def->group = strdup(row->portgroup))))
                return -ENOMEM;
        def->uuid = row->uuid;
        def->owner_uuid = row->owner_uuid;
        def->mac = row->mac;
        def->plug.type = t < 0 ? PLUG_NONE : (vport_plug_type) t;
        switch (def->plug.type) {
        case PLUG_DIRECT: /* the pool key of a direct network is the physdev's name */
                if (!(def->plug.dev = strdup(row->device ? row->device : rt->lower)))
                        return -ENOMEM;
                break;
        case PLUG_HOSTDEV_PCI:
                if (row->device)
                        (void) pci_addr_parse(row->device, &def->plug.addr);
                break;
        case PLUG_BRIDGE:
        case PLUG_NETWORK:
                if (!(def->plug.bridge = strdup(rt->lower)))
                        return -ENOMEM;
                break;
        default:
                break;
        }
        *ret = TAKE_PTR(def);
        return 0;
}

/* Parse the row's XML; if that fails (not for lack of memory), the port is
 * damaged: rebuilt from the columns, with the reason kept. */
static int port_def_from_row(const store_port *row, vport_port *p, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        vport_error e = { 0 };
        int r, s;

        r = port_def_parse_string(strempty(row->xml), strlen(strempty(row->xml)), &p->def, &e);
        s = port_state_from_string(row->state);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && s >= 0) {
                p->state = (vport_port_state) s;
                return 0;
        }
        if (r >= 0) {
                port_def_free(TAKE_PTR(p->def));
                vport_error_set(&e, -EINVAL, "unknown stored state '%.32s'", row->state);
        }
        /* a state that cannot be read is taken as active: deactivating what is down is a no-op */
        p->state = s >= 0 ? (vport_port_state) s : PORT_STATE_ACTIVE;
        if (asprintf(&p->damage, "stored definition: %s", vport_error_message(&e, r)) < 0) {
                p->damage = NULL;
                return -ENOMEM;
        }
        r = def_from_columns(row, &p->rt, &p->def);
        if (r < 0)
                return vport_error_prefix(err, r, "port %s", uuid_format(&row->uuid, uuid));
        return 0;
}

int port_from_store(const store_port *row, vport_port **ret, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *p = calloc(1, sizeof(*p));
        int r;

        if (!p)
                return -ENOMEM;
        port_runtime_from_json(NULL, row->runtime, &p->rt);
        r = port_def_from_row(row, p, err);
        if (r < 0)
                return r;
        p->network = strdup(row->network);
        p->device = row->device ? strdup(row->device) : NULL;
        p->def_xml = strdup(strempty(row->xml));
        if (!p->network || (row->device && !p->device) || !p->def_xml)
                return -ENOMEM;
        p->stale = row->stale;
        p->generation = row->generation;
        p->creator_uid = row->creator_uid;
        *ret = TAKE_PTR(p);
        return 0;
}

int port_step_from_store(const store_port *row, json_tokener *tok, vport_port **ret, vport_error *err) {
        /* libxml2 is given no DOCTYPE (xml_read refuses one), so no entity
         * can make a <virtualport>: an XML without the word has none. */
        if (row->xml && strstr(row->xml, "virtualport"))
                return port_from_store(row, ret, err);
        return port_brief_from_store(row, tok, ret, err);
}

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

int port_refuse_damaged(const vport_port *p, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];

        if (!p->damage)
                return 0;
        return vport_error_set(err, -EBADMSG, "port %s: %s; it can only be deleted ('vport port-delete %s')",
                               uuid_format(&p->def->uuid, uuid), p->damage, uuid);
}

/* Journal keys say what the XML no longer can: a "physdev:DEV" entry is a
 * passthrough port (its physdev carries the guest MAC), a "vf:BDF" entry
 * names the VF a hostdev port changed. */
int port_damaged_refine(vport_ctx *ctx, vport_port *p, vport_error *err) {
        store_journal *entries = NULL;
        size_t n = 0;
        int r;

        if (!p->damage)
                return 0;
        r = store_journal_list(ctx->store, &p->def->uuid, &entries, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const char *k = entries[i].key;
                if (p->def->plug.type == PLUG_DIRECT && has_prefix(k, "physdev:")) {
                        p->def->plug.mode = DIRECT_PASSTHROUGH;
                        free(p->def->plug.dev);
                        if (!(p->def->plug.dev = strdup(k + strlen("physdev:"))))
                                r = -ENOMEM;
                } else if (p->def->plug.type == PLUG_HOSTDEV_PCI && has_prefix(k, "vf:"))
                        (void) pci_addr_parse(k + strlen("vf:"), &p->def->plug.addr);
        }
        store_journal_array_free(entries, n);
        return r;
}

int port_to_store(const vport_port *p, store_port *row) {
        json_object *rt;
        int r;

        *row = (store_port){ .uuid = p->def->uuid, .owner_uuid = p->def->owner_uuid, .mac = p->def->mac };
        row->generation = p->generation;
        row->creator_uid = p->creator_uid;
        if (p->def_xml)
                r = (row->xml = strdup(p->def_xml)) ? 0 : -ENOMEM;
        else
                r = port_def_format(p->def, &row->xml);
        if (r < 0)
                return r;
        rt = runtime_to_json(&p->rt);
        row->runtime = strdup(json_object_to_json_string_ext(rt, JSON_C_TO_STRING_PLAIN));
        json_object_put(rt);
        row->network = strdup(p->network);
        row->owner_name = strdup(strempty(p->def->owner_name));
        row->portgroup = p->def->group ? strdup(p->def->group) : NULL;
        row->device = p->device ? strdup(p->device) : NULL;
        row->plug_type = strdup(plug_def_type_to_string(p->def->plug.type));
        row->state = strdup(port_state_to_string(p->state));
        if (!row->runtime || !row->network || !row->owner_name || !row->plug_type || !row->state ||
            (p->def->group && !row->portgroup) || (p->device && !row->device)) {
                store_port_clear(row);
                return -ENOMEM;
        }
        /* a damaged port keeps no summary: listing parses it and says so */
        if (p->def_summary && !p->damage)
                row->summary = strdup(p->def_summary);
        if (!row->summary && !p->damage && port_summary_format(p->def, row->xml, &row->summary) < 0) {
                store_port_clear(row);
                return -ENOMEM;
        }
        return 0;
}

void port_def_stored(vport_port *p, store_port *row) {
        free(p->def_xml);
        free(p->def_summary);
        p->def_xml = TAKE_PTR(row->xml);
        p->def_summary = TAKE_PTR(row->summary);
}

int port_load(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        _cleanup_(store_port_freep) store_port *row = NULL;
        int r;

        r = store_port_get(ctx->store, uuid, &row, err);
        if (r < 0)
                return r;
        return port_from_store(row, ret, err);
}

int port_save(vport_ctx *ctx, vport_port *p, vport_error *err) {
        store_port row;
        int r;

        r = port_to_store(p, &row);
        if (r < 0)
                return r;
        r = store_port_update(ctx->store, &row, err);
        if (r >= 0)
                p->generation = row.generation;
        store_port_clear(&row);
        return r;
}

int port_save_state(vport_ctx *ctx, vport_port *p, vport_error *err) {
        return store_port_set_state(ctx->store, &p->def->uuid, port_state_to_string(p->state),
                                    &p->generation, err);
}

int net_load(vport_ctx *ctx, const char *name, net_parsed **ret, bool *ret_active, vport_error *err) {
        _cleanup_(store_network_freep) store_network *n = NULL;
        int r;

        r = store_network_get(ctx->store, name, &n, err);
        if (r < 0)
                return r;
        if (ret && (r = net_parsed_get(ctx, n, ret, err)) < 0)
                return r;
        if (ret_active)
                *ret_active = n->active;
        return 0;
}

/* The one read of the row serves the three checks that each read it
 * before: the definition, the active flag and destroy mark under the lock
 * (net_check_open()), and the network's existence for the port's insert
 * (now the insert's own foreign key: store_port_insert()). */
int net_load_open(vport_ctx *ctx, const char *name, net_parsed **ret, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *p = NULL;
        _cleanup_(store_network_freep) store_network *n = NULL;
        int r;

        assert_return(store_in_transaction(ctx->store), -EINVAL);
        r = store_network_get(ctx->store, name, &n, err);
        if (r >= 0)
                r = net_parsed_get(ctx, n, &p, err);
        if (r >= 0)
                r = net_check_open(ctx, n, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

/* The stored data is {"pid": writer, "snapshot": data}: the pid tells
 * reconcile whether the writer is still at work. */
int journal_put(vport_ctx *ctx, const vport_port *port, const char *key, const char *step, json_object *data,
                vport_error *err) {
        json_object *wrap = json_object_new_object();
        int r;

        json_object_object_add(wrap, "pid", json_object_new_int(getpid()));
        json_object_object_add(wrap, "snapshot", data ? json_object_get(data) : NULL);
        store_journal j = {
                .port_uuid = port->def->uuid,
                .key = (char *) key,
                .step = (char *) step,
                .data = (char *) json_object_to_json_string_ext(wrap, JSON_C_TO_STRING_PLAIN),
        };
        r = store_journal_put(ctx->store, &j, err);
        json_object_put(wrap);
        return r;
}

int journal_get(vport_ctx *ctx, const vport_port *port, const char *key, json_object **ret_data,
                char **ret_step, vport_error *err) {
        _cleanup_(store_journal_freep) store_journal *j = NULL;
        json_object *wrap, *snap = NULL;
        int r;

        r = store_journal_get(ctx->store, &port->def->uuid, key, &j, err);
        if (r < 0)
                return r;
        wrap = j->data ? json_tokener_parse(j->data) : NULL;
        if (!wrap)
                return vport_error_set(err, -EIO, "journal entry %s: stored data is not JSON", key);
        if (ret_data) {
                json_object_object_get_ex(wrap, "snapshot", &snap);
                *ret_data = snap ? json_object_get(snap) : NULL;
        }
        json_object_put(wrap);
        if (ret_step)
                *ret_step = TAKE_PTR(j->step);
        return 0;
}

/* The entry now belongs to this process: its pid replaces the old writer's,
 * so reconcile does not take a live change for an abandoned one. */
int journal_set_step(vport_ctx *ctx, const vport_port *port, const char *key, const char *step,
                     vport_error *err) {
        json_object *snapshot = NULL;
        int r;

        r = journal_get(ctx, port, key, &snapshot, NULL, err);
        if (r < 0)
                return r;
        r = journal_put(ctx, port, key, step, snapshot, err);
        json_object_put(snapshot);
        return r;
}

int journal_delete(vport_ctx *ctx, const vport_port *port, const char *key, vport_error *err) {
        return store_journal_delete(ctx->store, &port->def->uuid, key, err);
}

bool journal_writer_gone(int pid) {
        /* Same boot (stale entries are purged separately): a dead pid means
         * the writer crashed. kill(pid, 0) fails with ESRCH then. */
        return pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH);
}

/* Past one member value: a plain integer (*ret set, *is_int true), a string
 * or a nested object or array without escapes, or NULL for anything else. */
static const char *flat_value_end(const char *c, int64_t *ret, bool *is_int) {
        unsigned depth = 0;

        *is_int = false;
        if (*c == '-' || (*c >= '0' && *c <= '9')) {
                char *end;
                errno = 0;
                *ret = strtoll(c, &end, 10);
                if (errno || end == c || *end == '.' || *end == 'e' || *end == 'E')
                        return NULL;
                *is_int = true;
                return end;
        }
        if (*c == '"')
                return flat_string_end(c);
        do {
                if (*c == '"')
                        c = flat_string_end(c);
                else if (*c == '{' || *c == '[')
                        depth++, c++;
                else if (*c == '}' || *c == ']')
                        depth--, c++;
                else if (*c && depth > 0)
                        c++;
                else
                        return NULL;
        } while (c && depth > 0);
        return c;
}

/* The records as journal_put() writes them ({"pid":123,"snapshot":{...}}),
 * read without building json-c objects: reconcile and drift read every
 * record, ~12000 instructions each through json-c. Returns false for
 * anything else (whitespace, an escape, a literal), read by json-c then. */
typedef struct int_member {
        const char *key;
        size_t klen;
        int64_t found;
} int_member;

static const char *int_member_value(const char *key, size_t klen, const char *v, void *userdata) {
        int_member *m = userdata;
        bool match = klen == m->klen && memcmp(key, m->key, klen) == 0, is_int;
        int64_t x;
        const char *end = flat_value_end(v, &x, &is_int);

        if (!end || (match && !is_int))
                return NULL;
        if (match)
                m->found = x; /* json-c keeps the last of a repeated key */
        return end;
}

static bool journal_data_int_flat(const char *c, const char *key, int64_t *ret) {
        int_member m = { .key = key, .klen = strlen(key) };

        if (!flat_object_read(c, int_member_value, &m))
                return false;
        *ret = m.found;
        return true;
}

int64_t journal_data_int(json_tokener *tok, const char *data, const char *key) {
        json_object *o, *v;
        int64_t x = 0;

        if (!data || journal_data_int_flat(data, key, &x))
                return x;
        /* not as journal_put() writes it: json-c decides */
        json_tokener_reset(tok);
        o = json_tokener_parse_ex(tok, data, -1);
        if (o && json_object_object_get_ex(o, key, &v))
                x = json_object_get_int64(v);
        json_object_put(o);
        return x;
}

bool journal_is_abandoned(const char *step, int pid) {
        if (!step || streq(step, JOURNAL_STEP_PREPARED))
                return false;
        return journal_writer_gone(pid);
}
