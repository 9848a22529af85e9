/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "conf/bandwidth.h"
#include "conf/xml-util.h"

/* libvirt stores rates as unsigned long long kB/s; the kernel's tc takes
 * 32-bit bytes/s for most qdiscs, but we keep libvirt's range and let the
 * layer that applies it complain. */
#define RATE_MAX UINT64_MAX / 1024

static int rate_parse(xmlNodePtr node, bool inbound, vport_rate *ret, vport_error *err) {
        struct {
                const char *attr;
                uint64_t *val;
        } fields[] = {
                { "average", &ret->average },
                { "peak", &ret->peak },
                { "burst", &ret->burst },
                { "floor", &ret->floor },
        };
        int r;

        if (ret->set)
                return vport_error_set(err, -EINVAL, "<bandwidth>: more than one <%s>", node->name);
        *ret = (vport_rate){ .set = true };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if ((r = xml_prop_u64(node, "<bandwidth>", fields[i].attr, RATE_MAX, fields[i].val, err)) <
                    0)
                        return r;
        if (ret->floor && !inbound)
                return vport_error_set(err, -EINVAL,
                                       "<bandwidth><outbound floor>: floor is only supported inbound");
        if (!ret->average && !ret->floor)
                return vport_error_set(err, -EINVAL, "<bandwidth><%s>: missing attribute 'average'%s",
                                       node->name, inbound ? " (or 'floor')" : "");
        if (ret->peak && ret->average && ret->peak < ret->average)
                return vport_error_set(err, -EINVAL, "<bandwidth><%s peak='%llu'>: lower than average %llu",
                                       node->name, (unsigned long long) ret->peak,
                                       (unsigned long long) ret->average);
        return 0;
}

static int class_id_parse(xmlNodePtr node, bool allow, uint32_t *ret, vport_error *err) {
        uint64_t id = 0;
        int r;

        if (!xmlHasProp(node, BAD_CAST "classID"))
                return 0;
        if (!allow)
                return vport_error_set(err, -EINVAL,
                                       "<bandwidth classID>: only a port's <bandwidth> has a classID");
        if ((r = xml_prop_u64(node, "", "classID", UINT32_MAX, &id, err)) < 0)
                return r;
        if (id == 0)
                return vport_error_set(err, -EINVAL, "<bandwidth classID='0'>: must be positive");
        *ret = (uint32_t) id;
        return 0;
}

int bandwidth_def_parse(xmlNodePtr node, bool allow_class_id, vport_bandwidth *ret, vport_error *err) {
        vport_bandwidth bw = { 0 };
        int r;

        if ((r = class_id_parse(node, allow_class_id, &bw.class_id, err)) < 0)
                return r;

        XML_FOREACH_ELEMENT(c, node) {
                if (xml_is(c, "inbound"))
                        r = rate_parse(c, true, &bw.in, err);
                else if (xml_is(c, "outbound"))
                        r = rate_parse(c, false, &bw.out, err);
                else
                        r = vport_error_set(err, -EINVAL, "<bandwidth>: unexpected element <%.64s>",
                                            c->name);
                if (r < 0)
                        return r;
        }
        *ret = bw;
        return 0;
}

static int rate_format(xmlNodePtr parent, const char *name, const vport_rate *rate) {
        const struct {
                const char *attr;
                uint64_t val;
        } fields[] = {
                { "average", rate->average },
                { "peak", rate->peak },
                { "burst", rate->burst },
                { "floor", rate->floor },
        };
        xmlNodePtr n;

        if (!rate->set)
                return 0;
        if (!(n = xml_add_child(parent, name, NULL)))
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (fields[i].val &&
                    xml_set_propf(n, fields[i].attr, "%llu", (unsigned long long) fields[i].val) < 0)
                        return -ENOMEM;
        return 0;
}

int bandwidth_def_format(xmlNodePtr parent, const vport_bandwidth *bw) {
        xmlNodePtr n;

        if (!bandwidth_is_set(bw))
                return 0;
        if (!(n = xml_add_child(parent, "bandwidth", NULL)) ||
            (bw->class_id && xml_set_propf(n, "classID", "%u", bw->class_id) < 0))
                return -ENOMEM;
        if (rate_format(n, "inbound", &bw->in) < 0 || rate_format(n, "outbound", &bw->out) < 0)
                return -ENOMEM;
        return 0;
}

static bool rate_equal(const vport_rate *a, const vport_rate *b) {
        return a->set == b->set && a->average == b->average && a->peak == b->peak && a->burst == b->burst &&
               a->floor == b->floor;
}

bool bandwidth_def_equal(const vport_bandwidth *a, const vport_bandwidth *b) {
        return rate_equal(&a->in, &b->in) && rate_equal(&a->out, &b->out) && a->class_id == b->class_id;
}
