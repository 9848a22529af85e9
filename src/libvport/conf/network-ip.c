/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <ip address family prefix|netmask>: the addresses of the bridge vport
 * makes for an isolated or open network, with libvirt's rules
 * (virNetworkIPDefParseXML, virSocketAddrGetIPPrefix). */
#include <arpa/inet.h>

#include "conf/network.h"
#include "conf/xml-util.h"

static int ip_family(xmlNodePtr node, int *ret, vport_error *err) {
        _cleanup_xmlfree_ char *f = xml_prop(node, "family");

        if (!f)
                *ret = AF_INET; /* libvirt: no family means IPv4 */
        else if (streq(f, "ipv4"))
                *ret = AF_INET;
        else if (streq(f, "ipv6"))
                *ret = AF_INET6;
        else
                return vport_error_set(err, -EINVAL, "<ip family='%.32s'>: must be 'ipv4' or 'ipv6'", f);
        return 0;
}

static int ip_address(xmlNodePtr node, int family, vport_ipaddr *ret, vport_error *err) {
        _cleanup_xmlfree_ char *a = xml_prop(node, "address");

        if (!a)
                return vport_error_set(err, -EINVAL, "<ip>: missing attribute 'address'");
        if (ipaddr_parse(a, family, ret) >= 0)
                return 0;
        if (family == AF_INET && ipaddr_parse(a, AF_INET6, ret) >= 0)
                return vport_error_set(err, -EINVAL,
                                       "<ip address='%.64s'>: an IPv6 address needs family='ipv6'", a);
        return vport_error_set(err, -EINVAL, "<ip address='%.64s'>: not an %s address", a,
                               family == AF_INET ? "IPv4" : "IPv6");
}

/* prefix, else netmask (IPv4 only, never both), else the default. */
static int ip_prefix(xmlNodePtr node, vport_ipaddr *a, vport_error *err) {
        _cleanup_xmlfree_ char *mask = xml_prop(node, "netmask");
        unsigned max = a->family == AF_INET ? 32 : 128;
        uint64_t prefix;
        int r;

        r = xml_prop_u64(node, "<ip>", "prefix", max, &prefix, err);
        if (r < 0)
                return r;
        if (r > 0 && mask)
                return vport_error_set(err, -EINVAL, "<ip>: 'netmask' and 'prefix' cannot both be given");
        if (r > 0) {
                a->prefix = (unsigned) prefix;
                return 0;
        }
        if (mask && a->family != AF_INET)
                return vport_error_set(err, -EINVAL, "<ip netmask='%.64s'>: only for an IPv4 address", mask);
        r = mask ? ipaddr_netmask_prefix(mask) : ipaddr_default_prefix(a);
        if (r < 0 && mask)
                return vport_error_set(err, -EINVAL, "<ip netmask='%.64s'>: not a contiguous IPv4 netmask",
                                       mask);
        if (r < 0)
                return vport_error_set(err, -EINVAL,
                                       "<ip>: a class D or E address needs a 'prefix' or 'netmask'");
        a->prefix = (unsigned) r;
        return 0;
}

int network_def_parse_ip(xmlNodePtr node, vport_network_def *def, vport_error *err) {
        vport_ipaddr a, *ips;
        int family = AF_INET, r;

        if ((r = ip_family(node, &family, err)) < 0 || (r = ip_address(node, family, &a, err)) < 0 ||
            (r = ip_prefix(node, &a, err)) < 0)
                return r;
        ips = reallocarray(def->ips, def->n_ips + 1, sizeof(*ips));
        if (!ips)
                return -ENOMEM;
        def->ips = ips;
        ips[def->n_ips++] = a;
        return 0;
}
