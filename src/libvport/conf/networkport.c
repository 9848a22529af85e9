/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <networkport> XML: parse, validate, format. */
#include <stdio.h>

#include "base/names.h"
#include "conf/networkport.h"
#include "conf/vlan-xml.h"
#include "conf/xml-util.h"

vport_port_def *port_def_new(void) {
        return calloc(1, sizeof(vport_port_def));
}

void port_def_free(vport_port_def *def) {
        if (!def)
                return;
        free(def->owner_name);
        free(def->group);
        vlan_clear(&def->vlan);
        free(def->virtualport);
        plug_def_clear(&def->plug);
        free(def);
}

static int parse_uuid_text(xmlNodePtr node, const char *ctx, vport_uuid *ret, vport_error *err) {
        _cleanup_free_ char *s = NULL;
        int r;

        if ((r = xml_text(node, ctx, &s, err)) < 0)
                return r;
        if (uuid_parse(s, ret) < 0)
                return vport_error_set(err, -EINVAL, "%s<uuid>: '%.40s' is not a UUID", ctx, s);
        return 0;
}

static int port_parse_uuid(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return parse_uuid_text(node, "", &def->uuid, err);
}

static int port_parse_owner(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        bool have_uuid = false;
        int r;

        XML_FOREACH_ELEMENT(c, node) {
                if (xml_is(c, "name") && !def->owner_name)
                        r = xml_text(c, "<owner>", &def->owner_name, err);
                else if (xml_is(c, "uuid") && !have_uuid) {
                        r = parse_uuid_text(c, "<owner>", &def->owner_uuid, err);
                        have_uuid = true;
                } else
                        r = vport_error_set(err, -EINVAL, "<owner>: unexpected or duplicate element <%.64s>",
                                            c->name);
                if (r < 0)
                        return r;
        }
        if (!def->owner_name || !have_uuid)
                return vport_error_set(err, -EINVAL, "<owner>: needs <name> and <uuid>");
        return 0;
}

static int port_parse_group(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return xml_text(node, "", &def->group, err);
}

static int port_parse_mac(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *a = xml_prop(node, "address");

        if (!a)
                return vport_error_set(err, -EINVAL, "<mac>: missing attribute 'address'");
        if (mac_parse(a, &def->mac) < 0)
                return vport_error_set(err, -EINVAL, "<mac address='%.32s'>: not a MAC address", a);
        return 0;
}

static int port_parse_vlan(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return vlan_def_parse(node, &def->vlan, err);
}

static int port_parse_virtualport(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return virtualport_def_parse(node, false, &def->virtualport, err);
}

static int port_parse_bandwidth(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return bandwidth_def_parse(node, true, &def->bandwidth, err);
}

/* libvirt requires the attribute when the element is there (networkport.rng). */
static int port_parse_rxfilters(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        int r = xml_prop_tristate(node, "", "trustGuest", &def->trust_guest_rx_filters, err);

        if (r >= 0 && def->trust_guest_rx_filters == TRISTATE_ABSENT)
                return vport_error_set(err, -EINVAL, "<rxfilters>: missing attribute 'trustGuest'");
        return r;
}

static int port_parse_port(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return port_opts_def_parse(node, &def->isolated_port, err);
}

static int port_parse_teaming(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *type = xml_prop(node, "type");
        _cleanup_xmlfree_ char *persistent = xml_prop(node, "persistent");

        if (!type)
                return vport_error_set(err, -EINVAL, "<teaming>: missing attribute 'type'");
        if (streq(type, "persistent"))
                def->teaming = TEAMING_PERSISTENT;
        else if (streq(type, "transient"))
                def->teaming = TEAMING_TRANSIENT;
        else
                return vport_error_set(err, -EINVAL,
                                       "<teaming type='%.64s'>: unknown type (persistent or transient)",
                                       type);
        if (def->teaming == TEAMING_PERSISTENT && persistent)
                return vport_error_set(err, -EINVAL,
                                       "<teaming type='persistent'>: attribute 'persistent' only belongs on "
                                       "the transient port");
        if (def->teaming == TEAMING_TRANSIENT && !persistent)
                return vport_error_set(err, -EINVAL,
                                       "<teaming type='transient'>: missing attribute 'persistent' (the "
                                       "persistent port's UUID)");
        if (persistent && uuid_parse(persistent, &def->teaming_persistent) < 0)
                return vport_error_set(err, -EINVAL,
                                       "<teaming persistent='%.64s'>: not a UUID (vport names the "
                                       "persistent port by its UUID)",
                                       persistent);
        return 0;
}

static int port_parse_plug(xmlNodePtr node, vport_port_def *def, vport_error *err) {
        return plug_def_parse(node, &def->plug, err);
}

static const struct {
        const char *name;
        int (*parse)(xmlNodePtr node, vport_port_def *def, vport_error *err);
        bool required;
} port_elements[] = {
        { "uuid", port_parse_uuid, false },           { "owner", port_parse_owner, true },
        { "group", port_parse_group, false },         { "mac", port_parse_mac, true },
        { "vlan", port_parse_vlan, false },           { "virtualport", port_parse_virtualport, false },
        { "bandwidth", port_parse_bandwidth, false }, { "port", port_parse_port, false },
        { "plug", port_parse_plug, false },           { "rxfilters", port_parse_rxfilters, false },
        { "teaming", port_parse_teaming, false },
};

/* vport's own live-state element (port-dumpxml's <runtime>) is output
 * only: skipped when a dumped port is fed back in. */
#define VPORT_RUNTIME_NS "urn:vport:runtime:1"

static int port_parse_element(xmlNodePtr c, vport_port_def *def, unsigned *seen, vport_error *err) {
        if (c->ns && c->ns->href && streq((const char *) c->ns->href, VPORT_RUNTIME_NS))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(port_elements); i++) {
                if (!xml_is(c, port_elements[i].name))
                        continue;
                if (*seen & (1u << i))
                        return vport_error_set(err, -EINVAL, "networkport: <%s>: duplicate element",
                                               c->name);
                *seen |= 1u << i;
                return port_elements[i].parse(c, def, err);
        }
        return vport_error_set(err, -EINVAL, "unexpected element <%.64s>", c->name);
}

static int port_def_from_doc(xmlDocPtr doc, vport_port_def **ret, vport_error *err) {
        _cleanup_(port_def_freep) vport_port_def *def = port_def_new();
        unsigned seen = 0;
        int r;

        if (!def)
                return -ENOMEM;
        XML_FOREACH_ELEMENT(c, xmlDocGetRootElement(doc))
        if ((r = port_parse_element(c, def, &seen, err)) < 0)
                return vport_error_prefix(err, r, "networkport");
        for (size_t i = 0; i < ELEMENTSOF(port_elements); i++)
                if (port_elements[i].required && !(seen & (1u << i)))
                        return vport_error_set(err, -EINVAL, "networkport: missing <%s>",
                                               port_elements[i].name);
        def->uuid_generated = uuid_is_null(&def->uuid);
        if (def->uuid_generated && (r = uuid_generate(&def->uuid)) < 0)
                return r;
        if ((r = port_def_validate(def, err)) < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

int port_def_parse_string(const char *xml, size_t len, vport_port_def **ret, vport_error *err) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        int r;

        assert_return(xml && ret, -EINVAL);
        if ((r = xml_read(xml, len, "networkport", "networkport XML", &doc, err)) < 0)
                return r;
        if ((r = port_def_from_doc(doc, ret, err)) < 0)
                return xml_error_one_line(err, r);
        return 0;
}

int port_def_validate(const vport_port_def *def, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        int r;

        assert_return(def, -EINVAL);
        uuid_format(&def->uuid, uuid);
        if (!def->owner_name || !*def->owner_name)
                return vport_error_set(err, -EINVAL, "networkport %s: <owner><name>: missing", uuid);
        if ((r = name_check(NAME_OWNER, def->owner_name, err)) < 0)
                return vport_error_prefix(err, r, "networkport %s: <owner><name>", uuid);
        if (def->group && (r = name_check(NAME_PORTGROUP, def->group, err)) < 0)
                return vport_error_prefix(err, r, "networkport %s: <group>", uuid);
        if ((r = mac_check_guest(&def->mac, err)) < 0 || (r = vlan_validate(&def->vlan, err)) < 0 ||
            (def->virtualport && (r = virtualport_def_check_no_extras(def->virtualport, err)) < 0) ||
            (r = plug_def_validate(&def->plug, err)) < 0)
                return vport_error_prefix(err, r, "networkport %s", uuid);
        if (def->teaming == TEAMING_TRANSIENT && uuid_equal(&def->teaming_persistent, &def->uuid))
                return vport_error_set(err, -EINVAL,
                                       "networkport %s: <teaming persistent>: names the port itself", uuid);
        return 0;
}

static int port_format_owner(xmlNodePtr root, const vport_port_def *def) {
        char uuid[VPORT_UUID_STRLEN];
        xmlNodePtr o = xml_add_child(root, "owner", NULL);

        if (!o || !xml_add_child(o, "name", def->owner_name) ||
            !xml_add_child(o, "uuid", uuid_format(&def->owner_uuid, uuid)))
                return -ENOMEM;
        return 0;
}

static int port_format_teaming(xmlNodePtr root, const vport_port_def *def) {
        char uuid[VPORT_UUID_STRLEN];
        xmlNodePtr t;

        if (def->teaming == TEAMING_NONE)
                return 0;
        if (!(t = xml_add_child(root, "teaming", NULL)) ||
            xml_set_prop(t, "type", def->teaming == TEAMING_PERSISTENT ? "persistent" : "transient") < 0)
                return -ENOMEM;
        if (def->teaming == TEAMING_TRANSIENT &&
            xml_set_prop(t, "persistent", uuid_format(&def->teaming_persistent, uuid)) < 0)
                return -ENOMEM;
        return 0;
}

static int port_format_body(xmlNodePtr root, const vport_port_def *def) {
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];
        xmlNodePtr m;

        if (!xml_add_child(root, "uuid", uuid_format(&def->uuid, uuid)) || port_format_owner(root, def) < 0)
                return -ENOMEM;
        if (def->group && !xml_add_child(root, "group", def->group))
                return -ENOMEM;
        if (!(m = xml_add_child(root, "mac", NULL)) ||
            xml_set_prop(m, "address", mac_format(&def->mac, mac)) < 0)
                return -ENOMEM;
        if (virtualport_def_format(root, def->virtualport) < 0 ||
            bandwidth_def_format(root, &def->bandwidth) < 0 || vlan_def_format(root, &def->vlan) < 0 ||
            port_opts_def_format(root, def->isolated_port) < 0)
                return -ENOMEM;
        if (def->trust_guest_rx_filters != TRISTATE_ABSENT &&
            (!(m = xml_add_child(root, "rxfilters", NULL)) ||
             xml_set_tristate(m, "trustGuest", def->trust_guest_rx_filters) < 0))
                return -ENOMEM;
        if (port_format_teaming(root, def) < 0 || plug_def_format(root, &def->plug) < 0)
                return -ENOMEM;
        return 0;
}

int port_def_format(const vport_port_def *def, char **ret_xml) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr root;
        int r;

        assert_return(def && ret_xml && def->owner_name, -EINVAL);
        if (!doc || !(root = xmlNewDocNode(doc, NULL, BAD_CAST "networkport", NULL)))
                return -ENOMEM;
        xmlDocSetRootElement(doc, root);
        if ((r = port_format_body(root, def)) < 0)
                return r;
        return xml_format_doc(doc, ret_xml);
}
