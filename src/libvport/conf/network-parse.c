/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <network> XML into vport_network_def. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/names.h"
#include "conf/network.h"
#include "conf/vlan-xml.h"
#include "conf/xml-util.h"

#define NETWORK_XML_MAX (16u << 20) /* far above any sane definition */
#define MTU_MIN         68
#define MTU_MAX         65535

static const char *const forward_mode_table[_FORWARD_MAX] = {
        [FORWARD_NONE] = "none",       [FORWARD_NAT] = "nat",
        [FORWARD_ROUTE] = "route",     [FORWARD_OPEN] = "open",
        [FORWARD_BRIDGE] = "bridge",   [FORWARD_PRIVATE] = "private",
        [FORWARD_VEPA] = "vepa",       [FORWARD_PASSTHROUGH] = "passthrough",
        [FORWARD_HOSTDEV] = "hostdev",
};
DEFINE_STRING_TABLE_LOOKUP(forward_mode, vport_forward_mode);

bool forward_mode_is_l3(vport_forward_mode m) {
        return m == FORWARD_NONE || m == FORWARD_NAT || m == FORWARD_ROUTE || m == FORWARD_OPEN;
}

bool forward_mode_makes_bridge(vport_forward_mode m) {
        return m == FORWARD_NONE || m == FORWARD_OPEN;
}

bool network_def_bridge_is_template(const vport_network_def *def) {
        return def->bridge_name && strchr(def->bridge_name, '%');
}

/* Room for element n of an array that holds n: the capacity doubles at
 * every power of two, so appending N elements copies O(N) in all (growing
 * by one was quadratic: a realloc that moves copies everything). */
static int array_grow(void **v, size_t n, size_t size) {
        void *nv;

        if (n != 0 && (n & (n - 1)) != 0)
                return 0;
        nv = reallocarray(*v, n ? 2 * n : 1, size);
        if (!nv)
                return -ENOMEM;
        *v = nv;
        return 0;
}

static int strv_push(char ***v, size_t *n, const char *s) {
        char **nv;

        if (array_grow((void **) v, *n, sizeof(char *)) < 0)
                return -ENOMEM;
        nv = *v;
        if (!(nv[*n] = strdup(s)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* An interface-name attribute (dev, name): required and checked. */
static int parse_ifname_attr(xmlNodePtr node, const char *attr, const char *ctx, char **ret,
                             vport_error *err) {
        _cleanup_xmlfree_ char *dev = xml_prop(node, attr);
        int r;

        if (!dev)
                return vport_error_set(err, -EINVAL, "%s<%s>: missing attribute '%s'", ctx, node->name,
                                       attr);
        if ((r = ifname_check(dev, err)) < 0)
                return vport_error_prefix(err, r, "%s<%s %s>", ctx, node->name, attr);
        free(*ret);
        return (*ret = strdup(dev)) ? 0 : -ENOMEM;
}

static int forward_parse_interface(xmlNodePtr c, vport_network_def *def, vport_error *err) {
        _cleanup_free_ char *dev = NULL;
        int r;

        if ((r = parse_ifname_attr(c, "dev", "<forward>", &dev, err)) < 0)
                return r;
        return strv_push(&def->interfaces, &def->n_interfaces, dev);
}

static int forward_parse_pf(xmlNodePtr c, vport_network_def *def, vport_error *err) {
        if (def->pf)
                return vport_error_set(err, -EINVAL, "<forward>: only one <pf> element is allowed");
        return parse_ifname_attr(c, "dev", "<forward>", &def->pf, err);
}

static int forward_parse_address(xmlNodePtr c, vport_network_def *def, vport_error *err) {
        vport_pci_addr *a;
        int r;

        if (array_grow((void **) &def->addresses, def->n_addresses, sizeof(*a)) < 0)
                return -ENOMEM;
        a = def->addresses;
        if ((r = plug_def_parse_pci_address(c, true, &a[def->n_addresses], err)) < 0)
                return vport_error_prefix(err, r, "<forward>");
        def->n_addresses++;
        return 0;
}

static int forward_parse_driver(xmlNodePtr c, vport_network_def *def, vport_error *err) {
        if (def->driver != HOSTDEV_DRIVER_DEFAULT || def->driver_model[0])
                return vport_error_set(err, -EINVAL, "<forward>: more than one <driver>");
        return plug_def_parse_driver(c, "<forward>", &def->driver, def->driver_model, err);
}

static int forward_parse_child(xmlNodePtr c, vport_network_def *def, vport_error *err) {
        if (xml_is(c, "interface"))
                return forward_parse_interface(c, def, err);
        if (xml_is(c, "pf"))
                return forward_parse_pf(c, def, err);
        if (xml_is(c, "address"))
                return forward_parse_address(c, def, err);
        if (xml_is(c, "driver"))
                return forward_parse_driver(c, def, err);
        if (xml_is(c, "nat"))
                return xml_dump_append(c, &def->forward_extra_xml);
        return vport_error_set(err, -EINVAL, "<forward>: unexpected element <%.64s>", c->name);
}

static int parse_forward(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *mode = xml_prop(node, "mode");
        int m = FORWARD_NAT, r; /* libvirt's default for <forward> without mode */

        if (mode && (m = forward_mode_from_string(mode)) < 0)
                return vport_error_set(err, -EINVAL, "<forward mode='%.32s'>: unknown mode", mode);
        def->forward_mode = m;
        if (xmlHasProp(node, BAD_CAST "dev") &&
            (r = parse_ifname_attr(node, "dev", "", &def->forward_dev, err)) < 0)
                return r;
        if ((r = xml_prop_yesno(node, "", "managed", &def->managed, err)) < 0)
                return r;
        XML_FOREACH_ELEMENT(c, node)
        if ((r = forward_parse_child(c, def, err)) < 0)
                return r;
        return 0;
}

/* A firewalld zone name (libvirt passes it to firewalld unchecked; vport
 * keeps it, so it must at least be one printable word). */
static int parse_bridge_zone(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *zone = xml_prop(node, "zone");

        if (!zone)
                return 0;
        if (!*zone || strlen(zone) > 64 ||
            strspn(zone, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") !=
                    strlen(zone))
                return vport_error_set(
                        err, -EINVAL, "<bridge zone='%.64s'>: not a zone name (1-64 of a-z A-Z 0-9 _ + - .)",
                        zone);
        return (def->bridge_zone = strdup(zone)) ? 0 : -ENOMEM;
}

/* libvirt's name template: one "%d", replaced by the first free number at
 * define ("virbr%d" when there is no name at all). */
static int parse_bridge_template(const char *name, vport_network_def *def, vport_error *err) {
        const char *p = strchr(name, '%');
        _cleanup_free_ char *probe = NULL;
        int r;

        if (p[1] != 'd' || strchr(p + 1, '%'))
                return vport_error_set(err, -EINVAL,
                                       "<bridge name='%.32s'>: a name template takes exactly one '%%d'",
                                       name);
        /* the rest must make a valid name with the longest number put in */
        if (asprintf(&probe, "%.*s999%s", (int) (p - name), name, p + 2) < 0)
                return -ENOMEM;
        if ((r = ifname_check(probe, err)) < 0)
                return vport_error_prefix(err, r, "<bridge name='%.32s'>", name);
        free(def->bridge_name);
        return (def->bridge_name = strdup(name)) ? 0 : -ENOMEM;
}

static int parse_bridge_name(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *name = xml_prop(node, "name");

        if (!name)
                return 0;
        if (strchr(name, '%'))
                return parse_bridge_template(name, def, err);
        return parse_ifname_attr(node, "name", "", &def->bridge_name, err);
}

static int parse_bridge(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *mtm = xml_prop(node, "macTableManager"), *stp = xml_prop(node, "stp");
        uint64_t delay;
        int r;

        if ((r = parse_bridge_zone(node, def, err)) < 0)
                return r;
        if ((r = parse_bridge_name(node, def, err)) < 0)
                return r;
        if (mtm && (r = mac_table_manager_from_string(mtm)) <= 0)
                return vport_error_set(err, -EINVAL,
                                       "<bridge macTableManager='%.32s'>: must be 'kernel' or 'libvirt'",
                                       mtm);
        if (mtm)
                def->mac_table_manager = r;
        if (stp && !streq(stp, "on") && !streq(stp, "off"))
                return vport_error_set(err, -EINVAL, "<bridge stp='%.32s'>: must be 'on' or 'off'", stp);
        def->bridge_stp = stp ? streq(stp, "on") : -1;
        if ((r = xml_prop_u64(node, "", "delay", 3600, &delay, err)) < 0)
                return r;
        def->bridge_delay = r > 0 ? (long) delay : -1;
        return 0;
}

static int parse_mtu(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        uint64_t size;
        int r = xml_prop_u64(node, "", "size", MTU_MAX, &size, err);

        if (r < 0)
                return r;
        if (r == 0)
                return vport_error_set(err, -EINVAL, "<mtu>: missing attribute 'size'");
        if (size < MTU_MIN)
                return vport_error_set(err, -EINVAL, "<mtu size='%llu'>: below the minimum %d",
                                       (unsigned long long) size, MTU_MIN);
        def->mtu = (unsigned) size;
        return 0;
}

static int parse_uuid(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_free_ char *s = NULL;
        int r;

        if ((r = xml_text(node, "", &s, err)) < 0)
                return r;
        if (uuid_parse(s, &def->uuid) < 0)
                return vport_error_set(err, -EINVAL, "<uuid>: '%.40s' is not a UUID", s);
        return 0;
}

static int parse_vlan(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return vlan_def_parse(node, &def->vlan, err);
}

static int parse_virtualport(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return virtualport_def_parse(node, true, &def->virtualport, err);
}

static int parse_bandwidth(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return bandwidth_def_parse(node, false, &def->bandwidth, err);
}

static int portgroup_parse_child(xmlNodePtr c, vport_portgroup *pg, unsigned *seen, vport_error *err) {
        static const char *const names[] = { "vlan", "virtualport", "bandwidth", "port" };
        size_t i;

        for (i = 0; i < ELEMENTSOF(names) && !xml_is(c, names[i]); i++)
                ;
        if (i == ELEMENTSOF(names))
                return vport_error_set(err, -EINVAL, "unexpected element <%.64s>", c->name);
        if (*seen & (1u << i))
                return vport_error_set(err, -EINVAL, "more than one <%s>", names[i]);
        *seen |= 1u << i;
        if (i == 0)
                return vlan_def_parse(c, &pg->vlan, err);
        if (i == 1) /* a portgroup may give parameters only; the type comes from the network */
                return virtualport_def_parse(c, false, &pg->virtualport, err);
        if (i == 3)
                return port_opts_def_parse(c, &pg->isolated_port, err);
        return bandwidth_def_parse(c, false, &pg->bandwidth, err);
}

static int parse_portgroup(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *name = xml_prop(node, "name");
        vport_portgroup *pgs, *pg;
        unsigned seen = 0;
        int r;

        if (!name)
                return vport_error_set(err, -EINVAL, "<portgroup>: missing attribute 'name'");
        if ((r = name_check(NAME_PORTGROUP, name, err)) < 0)
                return vport_error_prefix(err, r, "<portgroup name>");
        if (array_grow((void **) &def->portgroups, def->n_portgroups, sizeof(*pgs)) < 0)
                return -ENOMEM;
        pgs = def->portgroups;
        pg = &pgs[def->n_portgroups++];
        *pg = (vport_portgroup){ .name = strdup(name) };
        if (!pg->name)
                return -ENOMEM;
        if ((r = xml_prop_yesno(node, "", "default", &pg->is_default, err)) < 0 ||
            (r = xml_prop_tristate(node, "", "trustGuestRxFilters", &pg->trust_guest_rx_filters, err)) < 0)
                return vport_error_prefix(err, r, "<portgroup name='%.64s'>", name);
        XML_FOREACH_ELEMENT(c, node)
        if ((r = portgroup_parse_child(c, pg, &seen, err)) < 0)
                return vport_error_prefix(err, r, "<portgroup name='%.64s'>", name);
        return 0;
}

#define NOT_MANAGED                                                                                      \
        "vport manages isolated and open networks (a bridge and its addresses), bridge, private, vepa, " \
        "passthrough and hostdev networks"

/* What libvirt hands to dnsmasq or puts in the routing table: vport runs no
 * DHCP, DNS or TFTP server and adds no routes, so a definition that asks
 * for them is refused rather than "started" without them. <dns
 * enable='no'/> (saying there is none) is kept. */
static int ip_check_managed(xmlNodePtr ip, vport_error *err) {
        XML_FOREACH_ELEMENT(c, ip) {
                if (xml_is(c, "dhcp") || xml_is(c, "tftp"))
                        return vport_error_set(
                                err, -EINVAL,
                                "<ip><%s>: vport does not run a %s server (libvirt's dnsmasq); " NOT_MANAGED,
                                c->name, xml_is(c, "dhcp") ? "DHCP" : "TFTP");
        }
        return 0;
}

static int l3_check_managed(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *enable = NULL;

        if (xml_is(node, "ip")) {
                def->has_ip = true;
                return ip_check_managed(node, err);
        }
        if (xml_is(node, "dns")) {
                enable = xml_prop(node, "enable");
                if (!streq_ptr(enable, "no") || xmlFirstElementChild(node))
                        return vport_error_set(
                                err, -EINVAL,
                                "<dns>: vport does not run a DNS server (libvirt's dnsmasq); only "
                                "<dns enable='no'/> is accepted; " NOT_MANAGED);
                def->dns_disabled = true;
        }
        if (xml_is(node, "domain"))
                return vport_error_set(
                        err, -EINVAL,
                        "<domain>: a DNS domain needs a DNS server (libvirt's dnsmasq), which vport "
                        "does not run; " NOT_MANAGED);
        if (xml_is(node, "route"))
                return vport_error_set(err, -EINVAL,
                                       "<route>: vport does not manage static routes; " NOT_MANAGED);
        return 0;
}

static int parse_l3(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        int r = l3_check_managed(node, def, err);

        return r < 0 ? r : xml_dump_append(node, &def->l3_xml);
}

/* <ip>: its address goes on the bridge vport makes; the element itself
 * (with whatever it holds) is kept verbatim. */
static int parse_ip(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        int r = network_def_parse_ip(node, def, err);

        return r < 0 ? r : parse_l3(node, def, err);
}

/* <mac address>: the MAC of the bridge vport makes (libvirt refuses a
 * multicast one at parse). */
static int parse_mac(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        _cleanup_xmlfree_ char *a = xml_prop(node, "address");

        if (!a)
                return vport_error_set(err, -EINVAL, "<mac>: missing attribute 'address'");
        if (mac_parse(a, &def->mac) < 0)
                return vport_error_set(err, -EINVAL, "<mac address='%.32s'>: not a MAC address", a);
        if (mac_is_multicast(&def->mac) || mac_is_zero(&def->mac))
                return vport_error_set(err, -EINVAL,
                                       "<mac address='%s'>: a bridge needs a unicast, non-zero MAC", a);
        def->mac_specified = true;
        return 0;
}

static int parse_port(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return port_opts_def_parse(node, &def->isolated_port, err);
}

static int parse_meta(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return xml_dump_append(node, &def->meta_xml);
}

static int parse_name(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        return 0; /* read up front by network_def_from_doc, so every error can name the network */
}

typedef int (*element_parser)(xmlNodePtr node, vport_network_def *def, vport_error *err);

static const struct {
        const char *name;
        element_parser parse;
        bool repeatable;
} network_elements[] = {
        { "name", parse_name, false },
        { "uuid", parse_uuid, false },
        { "mtu", parse_mtu, false },
        { "forward", parse_forward, false },
        { "bridge", parse_bridge, false },
        { "vlan", parse_vlan, false },
        { "virtualport", parse_virtualport, false },
        { "bandwidth", parse_bandwidth, false },
        { "portgroup", parse_portgroup, true },
        { "ip", parse_ip, true },
        { "route", parse_l3, true },
        { "dns", parse_l3, false },
        { "domain", parse_l3, false },
        { "mac", parse_mac, false },
        { "port", parse_port, false },
        { "title", parse_meta, false },
        { "description", parse_meta, false },
        { "metadata", parse_meta, false },
};

static int network_parse_element(xmlNodePtr c, vport_network_def *def, uint32_t *seen, vport_error *err) {
        for (size_t i = 0; i < ELEMENTSOF(network_elements); i++) {
                if (!xml_is(c, network_elements[i].name))
                        continue;
                if (!network_elements[i].repeatable && (*seen & (1u << i)))
                        return vport_error_set(err, -EINVAL, "<%s>: duplicate element", c->name);
                *seen |= 1u << i;
                return network_elements[i].parse(c, def, err);
        }
        return vport_error_set(err, -EINVAL, "unexpected element <%.64s>", c->name);
}

static int network_read_name(xmlNodePtr root, vport_network_def *def, vport_error *err) {
        int r;

        XML_FOREACH_ELEMENT(c, root) {
                if (!xml_is(c, "name"))
                        continue;
                if ((r = xml_text(c, "network: ", &def->name, err)) < 0)
                        return r;
                if ((r = netname_check(def->name, err)) < 0)
                        return r;
                return 0;
        }
        return vport_error_set(err, -EINVAL, "network: missing <name>");
}

static int network_def_from_doc(xmlDocPtr doc, vport_network_def **ret, vport_error *err) {
        _cleanup_(network_def_freep) vport_network_def *def = calloc(1, sizeof(*def));
        xmlNodePtr root = xmlDocGetRootElement(doc);
        uint32_t seen = 0;
        int r;

        if (!def)
                return -ENOMEM;
        def->bridge_stp = -1;
        def->bridge_delay = -1;
        if ((r = network_read_name(root, def, err)) < 0)
                return r;
        if ((r = xml_prop_tristate(root, "", "ipv6", &def->ipv6, err)) < 0 ||
            (r = xml_prop_tristate(root, "", "trustGuestRxFilters", &def->trust_guest_rx_filters, err)) < 0)
                return vport_error_prefix(err, r, "network '%s'", def->name);
        XML_FOREACH_ELEMENT(c, root)
        if ((r = network_parse_element(c, def, &seen, err)) < 0)
                return vport_error_prefix(err, r, "network '%s'", def->name);
        def->uuid_generated = uuid_is_null(&def->uuid);
        if (def->uuid_generated && (r = uuid_generate(&def->uuid)) < 0)
                return r;
        if ((r = network_def_validate(def, err)) < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

int network_def_parse_string(const char *xml, size_t len, vport_network_def **ret, vport_error *err) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        int r;

        assert_return(xml && ret, -EINVAL);
        if ((r = xml_read(xml, len, "network", "network XML", &doc, err)) < 0)
                return r;
        if ((r = network_def_from_doc(doc, ret, err)) < 0)
                return xml_error_one_line(err, r);
        return 0;
}

/* Each failure reads errno right where the call failed; a file that grows
 * or shrinks while read is read to its end (up to the cap), so a short read
 * is not taken for the whole document. */
int network_def_parse_file(const char *path, vport_network_def **ret, vport_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0)
                return vport_error_set(err, -errno, "%s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return vport_error_set(err, -EINVAL, "%s: not a regular file", path);
        if (st.st_size > NETWORK_XML_MAX)
                return vport_error_set(err, -EFBIG, "%s: larger than %u bytes", path, NETWORK_XML_MAX);
        if (!(buf = malloc(NETWORK_XML_MAX + 1)))
                return -ENOMEM;
        do {
                n = read(fd, buf + len, NETWORK_XML_MAX + 1 - len);
                if (n < 0 && errno != EINTR)
                        return vport_error_set(err, -errno, "%s: %s", path, strerror(errno));
                len += n > 0 ? (size_t) n : 0;
        } while (n != 0 && len <= NETWORK_XML_MAX);
        if (len > NETWORK_XML_MAX)
                return vport_error_set(err, -EFBIG, "%s: larger than %u bytes", path, NETWORK_XML_MAX);
        buf[len] = '\0';
        return network_def_parse_string(buf, len, ret, err);
}

static void portgroup_clear(vport_portgroup *pg) {
        free(pg->name);
        vlan_clear(&pg->vlan);
        free(pg->virtualport);
}

void network_def_free(vport_network_def *def) {
        if (!def)
                return;
        free(def->name);
        free(def->forward_dev);
        free(def->bridge_name);
        free(def->bridge_zone);
        for (size_t i = 0; i < def->n_interfaces; i++)
                free(def->interfaces[i]);
        free(def->interfaces);
        free(def->pf);
        free(def->addresses);
        free(def->ips);
        vlan_clear(&def->vlan);
        free(def->virtualport);
        for (size_t i = 0; i < def->n_portgroups; i++)
                portgroup_clear(&def->portgroups[i]);
        free(def->portgroups);
        free(def->forward_extra_xml);
        free(def->l3_xml);
        free(def->meta_xml);
        free(def);
}
