/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <port isolated/>: on a network, a portgroup and a networkport. The port
 * gets the bridge port flag IFLA_BRPORT_ISOLATED: isolated ports of one
 * bridge exchange no frames with each other, only with non-isolated ports
 * (the uplink, the host). */
#include "conf/port-opts.h"
#include "conf/xml-util.h"

int port_opts_def_parse(xmlNodePtr node, vport_tristate *ret, vport_error *err) {
        xmlNodePtr child = xmlFirstElementChild(node);

        for (xmlAttrPtr a = node->properties; a; a = a->next)
                if (!xmlStrEqual(a->name, BAD_CAST "isolated"))
                        return vport_error_set(err, -EINVAL, "<port>: unexpected attribute '%.64s'",
                                               (const char *) a->name);
        if (child)
                return vport_error_set(err, -EINVAL, "<port>: unexpected element <%.64s>", child->name);
        return xml_prop_tristate(node, "", "isolated", ret, err);
}

int port_opts_def_format(xmlNodePtr parent, vport_tristate v) {
        xmlNodePtr n;

        if (v == TRISTATE_ABSENT)
                return 0;
        n = xml_add_child(parent, "port", NULL);
        if (!n || xml_set_tristate(n, "isolated", v) < 0)
                return -ENOMEM;
        return 0;
}
