/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The summary column (schema 4) and the ports a listing builds from it.
 *
 * The summary is what a listing reads of the <networkport> (plug, VLAN,
 * <port isolated>, as space-separated key=value tokens) and a digest of the
 * XML it was taken from. A row whose XML no longer has that digest (edited,
 * damaged) or that has no usable summary (written before the column) is
 * parsed in full, so a listing shows the same port either way. The digest
 * guards against edits, not against an attacker: FNV-1a, cheap next to
 * parsing. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/internal.h"

#define SUMMARY_VERSION "s1"

static uint64_t xml_digest(const char *xml) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (const unsigned char *c = (const unsigned char *) xml; *c; c++)
                h = (h ^ *c) * UINT64_C(0x100000001b3);
        return h;
}

static bool summary_value_ok(const char *v) {
        return v && *v && !strpbrk(v, " \t\n");
}

/* Appends to a malloc'ed string (the summary is text the store keeps, built
 * here without a stdio stream). Returns 0 or -ENOMEM. */
static int summary_appendf(char **buf, size_t *len, const char *fmt, ...) {
        va_list ap;
        char *n;
        int k;

        va_start(ap, fmt);
        k = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (k < 0 || !(n = realloc(*buf, *len + (size_t) k + 1)))
                return -ENOMEM;
        va_start(ap, fmt);
        vsnprintf(n + *len, (size_t) k + 1, fmt, ap);
        va_end(ap);
        *buf = n;
        *len += (size_t) k;
        return 0;
}

int port_summary_format(const vport_port_def *def, const char *xml, char **ret) {
        const vport_plug *pl = &def->plug;
        _cleanup_free_ char *buf = NULL;
        char bdf[VPORT_PCI_STRLEN];
        size_t len = 0;
        int r;

        *ret = NULL;
        /* a name a token cannot carry leaves the row to the full parse */
        if ((pl->bridge && !summary_value_ok(pl->bridge)) || (pl->dev && !summary_value_ok(pl->dev)))
                return 0;
        r = summary_appendf(&buf, &len, SUMMARY_VERSION " %016" PRIx64 " t=%d m=%d o=%d g=%d%d a=%s i=%d",
                            xml_digest(xml), (int) pl->type, (int) pl->mac_table_manager, (int) pl->mode,
                            pl->managed, pl->managed_set, pci_addr_format(&pl->addr, bdf),
                            (int) def->isolated_port);
        if (r == 0 && pl->bridge)
                r = summary_appendf(&buf, &len, " b=%s", pl->bridge);
        if (r == 0 && pl->dev)
                r = summary_appendf(&buf, &len, " d=%s", pl->dev);
        if (r == 0 && vlan_is_set(&def->vlan)) {
                r = summary_appendf(&buf, &len, " k=%d n=%d:%u v=", def->vlan.trunk,
                                    (int) def->vlan.native_mode, def->vlan.native_tag);
                for (size_t i = 0; r == 0 && i < def->vlan.n_tags; i++)
                        r = summary_appendf(&buf, &len, "%s%u", i ? "," : "", def->vlan.tags[i]);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* ---- reading a summary ---- */

/* A summary as read, its names and tags still in the row's text. */
typedef struct summary {
        vport_plug plug; /* bridge and dev unset: see below */
        vport_tristate isolated;
        const char *bridge, *dev; /* in the summary text; NULL if absent */
        size_t bridge_len, dev_len;
        bool trunk;
        vport_vlan_native_mode native_mode;
        uint16_t native_tag;
        const char *tags; /* "10,20,30" up to the token's end; NULL: no VLAN */
        size_t n_tags;
} summary;

/* A decimal in [0, max] spanning exactly [v, end). */
static int summary_uint(const char *v, const char *end, unsigned max, unsigned *ret) {
        unsigned x = 0;

        if (v == end || end - v > 5)
                return -EINVAL;
        for (; v < end; v++) {
                if (*v < '0' || *v > '9')
                        return -EINVAL;
                x = x * 10 + (unsigned) (*v - '0');
        }
        if (x > max)
                return -EINVAL;
        *ret = x;
        return 0;
}

/* Checks the tag list [v, end) and counts its tags. */
static int summary_tags(summary *s, const char *v, const char *end) {
        const char *c;
        unsigned t;

        s->tags = v;
        for (s->n_tags = 0; v <= end; v = c + 1, s->n_tags++) {
                for (c = v; c < end && *c != ','; c++)
                        ;
                if (summary_uint(v, c, VPORT_VLAN_TAG_MAX, &t) < 0)
                        return -EINVAL;
        }
        return 0;
}

static int summary_pci(vport_pci_addr *addr, const char *v, const char *end) {
        char bdf[VPORT_PCI_STRLEN];

        if ((size_t) (end - v) >= sizeof(bdf))
                return -EINVAL;
        memcpy(bdf, v, (size_t) (end - v));
        bdf[end - v] = '\0';
        return pci_addr_parse(bdf, addr);
}

static int summary_pair(const char *v, const char *end, char sep, unsigned max_a, unsigned max_b,
                        unsigned *a, unsigned *b) {
        const char *m = memchr(v, sep, (size_t) (end - v));

        if (sep == '\0') /* two single digits */
                return end - v == 2 && summary_uint(v, v + 1, max_a, a) == 0 &&
                                       summary_uint(v + 1, end, max_b, b) == 0
                               ? 0
                               : -EINVAL;
        return m && summary_uint(v, m, max_a, a) == 0 && summary_uint(m + 1, end, max_b, b) == 0 ? 0
                                                                                                 : -EINVAL;
}

/* One key=value token [tok, end). Every value is range-checked: a summary
 * that does not hold up leaves the row to the full parse. */
static int summary_token(summary *s, const char *tok, const char *end) {
        const char *v = tok + 2;
        unsigned a, b;

        if (end - tok < 2 || tok[1] != '=')
                return -EINVAL;
        switch (tok[0]) {
        case 't':
                return summary_uint(v, end, _PLUG_MAX - 1, &a) < 0 ? -EINVAL
                                                                   : (s->plug.type = (vport_plug_type) a, 0);
        case 'm':
                return summary_uint(v, end, _MAC_TABLE_MANAGER_MAX - 1, &a) < 0
                               ? -EINVAL
                               : (s->plug.mac_table_manager = (vport_mac_table_manager) a, 0);
        case 'o':
                return summary_uint(v, end, _DIRECT_MAX - 1, &a) < 0
                               ? -EINVAL
                               : (s->plug.mode = (vport_direct_mode) a, 0);
        case 'g':
                if (summary_pair(v, end, '\0', 1, 1, &a, &b) < 0)
                        return -EINVAL;
                s->plug.managed = a, s->plug.managed_set = b;
                return 0;
        case 'a':
                return summary_pci(&s->plug.addr, v, end);
        case 'i':
                return summary_uint(v, end, TRISTATE_NO, &a) < 0 ? -EINVAL
                                                                 : (s->isolated = (vport_tristate) a, 0);
        case 'b':
                s->bridge = v, s->bridge_len = (size_t) (end - v);
                return v < end ? 0 : -EINVAL;
        case 'd':
                s->dev = v, s->dev_len = (size_t) (end - v);
                return v < end ? 0 : -EINVAL;
        case 'k':
                return summary_uint(v, end, 1, &a) < 0 ? -EINVAL : (s->trunk = a, 0);
        case 'n':
                if (summary_pair(v, end, ':', _VLAN_NATIVE_MAX - 1, VPORT_VLAN_TAG_MAX, &a, &b) < 0)
                        return -EINVAL;
                s->native_mode = (vport_vlan_native_mode) a, s->native_tag = (uint16_t) b;
                return 0;
        case 'v':
                return summary_tags(s, v, end);
        default:
                return -EINVAL;
        }
}

/* Read the row's summary, if it stands for the row's XML. Returns true
 * (s filled) or false (the caller parses the XML). Allocates nothing. */
static bool summary_read(const store_port *row, summary *s) {
        const char *c, *end;
        char digest[17];

        *s = (summary){ 0 };
        if (!row->summary || !row->xml || strncmp(row->summary, SUMMARY_VERSION " ", 3) != 0)
                return false;
        snprintf(digest, sizeof(digest), "%016" PRIx64, xml_digest(row->xml));
        if (strncmp(row->summary + 3, digest, 16) != 0 || row->summary[19] != ' ')
                return false;
        for (c = row->summary + 20; *c; c = *end ? end + 1 : end) {
                end = strchrnul(c, ' ');
                if (summary_token(s, c, end) < 0)
                        return false;
        }
        return true;
}

/* ---- a listed port in one allocation ---- */

/* A listing makes thousands of ports: each is one allocation holding the
 * port, its def and every string and tag they point to (vport_port_free()
 * frees it whole: port.packed). Its def and strings are read only: what a
 * listing shows, and what activate and deactivate read. */
typedef struct brief_port {
        vport_port port;
        vport_port_def def;
        uint16_t tags[]; /* then the strings */
} brief_port;

/* Copies n bytes of s and a NUL to *o; returns the copy, NULL if s is NULL. */
static char *brief_put(char **o, const char *s, size_t n) {
        char *copy = *o;

        if (!s)
                return NULL;
        memcpy(copy, s, n);
        copy[n] = '\0';
        *o += n + 1;
        return copy;
}

static size_t len_or_0(const char *s) {
        return s ? strlen(s) + 1 : 0;
}

static void brief_fill_def(brief_port *b, const store_port *row, const summary *s, char **o) {
        vport_port_def *def = &b->def;
        const char *t = s->tags;

        def->uuid = row->uuid;
        def->owner_uuid = row->owner_uuid;
        def->mac = row->mac;
        def->owner_name = brief_put(o, strempty(row->owner_name), strlen(strempty(row->owner_name)));
        def->group = brief_put(o, row->portgroup, row->portgroup ? strlen(row->portgroup) : 0);
        def->plug = s->plug;
        def->plug.bridge = brief_put(o, s->bridge, s->bridge_len);
        def->plug.dev = brief_put(o, s->dev, s->dev_len);
        def->isolated_port = s->isolated;
        def->vlan.trunk = s->trunk;
        def->vlan.native_mode = s->native_mode;
        def->vlan.native_tag = s->native_tag;
        def->vlan.n_tags = s->n_tags;
        def->vlan.tags = s->n_tags ? b->tags : NULL;
        for (size_t i = 0; i < s->n_tags; i++, t++)
                b->tags[i] = (uint16_t) strtoul(t, (char **) &t, 10); /* checked by summary_tags() */
}

static int brief_port_new(const store_port *row, const summary *s, vport_port_state state, json_tokener *tok,
                          vport_port **ret) {
        size_t strings = len_or_0(row->network) + len_or_0(row->device) +
                         len_or_0(strempty(row->owner_name)) + len_or_0(row->portgroup) +
                         (s->bridge ? s->bridge_len + 1 : 0) + (s->dev ? s->dev_len + 1 : 0);
        brief_port *b = calloc(1, sizeof(*b) + s->n_tags * sizeof(uint16_t) + strings);
        char *o;

        if (!b)
                return -ENOMEM;
        o = (char *) (b->tags + s->n_tags);
        b->port.packed = true;
        b->port.def = &b->def;
        b->port.network = brief_put(&o, row->network, strlen(row->network));
        b->port.device = brief_put(&o, row->device, row->device ? strlen(row->device) : 0);
        brief_fill_def(b, row, s, &o);
        b->port.state = state;
        b->port.stale = row->stale;
        b->port.generation = row->generation;
        b->port.creator_uid = row->creator_uid;
        port_runtime_from_json(tok, row->runtime, &b->port.rt);
        *ret = &b->port;
        return 0;
}

int port_brief_from_store(const store_port *row, json_tokener *tok, vport_port **ret, vport_error *err) {
        int s = port_state_from_string(row->state);
        summary sm;

        if (s < 0 || !row->network || !summary_read(row, &sm))
                return port_from_store(row, ret, err);
        return brief_port_new(row, &sm, (vport_port_state) s, tok, ret);
}
