/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's <network> definition: what vport manages is the forward mode, the
 * device pool, and the per-port defaults (vlan, virtualport, bandwidth,
 * portgroups). The <ip> and <mac> of isolated and open networks are kept
 * verbatim; nat and route networks and what needs dnsmasq or routes are
 * refused at parse time. */
#pragma once

#include <stddef.h>

#include "base/error.h"
#include "base/ipaddr.h"
#include "base/mac.h"
#include "base/pci.h"
#include "base/uuid.h"
#include "base/vlan.h"
#include "conf/bandwidth.h"
#include "conf/plug.h"
#include "conf/tristate.h"
#include "conf/port-opts.h"
#include "conf/virtualport.h"

typedef enum vport_forward_mode {
        FORWARD_NONE, /* no <forward>: isolated network on its own bridge */
        FORWARD_NAT,
        FORWARD_ROUTE,
        FORWARD_OPEN,
        FORWARD_BRIDGE,
        FORWARD_PRIVATE,
        FORWARD_VEPA,
        FORWARD_PASSTHROUGH,
        FORWARD_HOSTDEV,
        _FORWARD_MAX,
} vport_forward_mode;

const char *forward_mode_to_string(vport_forward_mode m); /* "none", "nat", ..., "hostdev" */
int forward_mode_from_string(const char *s);

/* Modes whose ports are plugged into a bridge that the L3 config owns. */
bool forward_mode_is_l3(vport_forward_mode m);

/* Modes whose bridge vport itself makes at net-start (isolated, open). */
bool forward_mode_makes_bridge(vport_forward_mode m);

typedef struct vport_portgroup {
        char *name;
        bool is_default;
        vport_tristate trust_guest_rx_filters; /* handed to its ports (<rxfilters trustGuest>) */
        vport_vlan vlan;
        vport_virtualport *virtualport; /* NULL = none */
        vport_bandwidth bandwidth;
        vport_tristate isolated_port; /* <port isolated> (libvirt 11.3 ignores it here; vport honours it) */
} vport_portgroup;

typedef struct vport_network_def {
        char *name;
        vport_uuid uuid;                       /* generated when the XML has none */
        bool uuid_generated;                   /* the XML had no <uuid> */
        unsigned mtu;                          /* <mtu size>; 0 = unset */
        vport_tristate ipv6;                   /* <network ipv6>: kept, no effect (a notice says so) */
        vport_tristate trust_guest_rx_filters; /* <network trustGuestRxFilters>: handed to ports */

        vport_forward_mode forward_mode;
        char *forward_dev;                             /* <forward dev>; NULL = unset */
        bool managed;                                  /* <forward mode='hostdev' managed='yes'> */
        vport_hostdev_driver driver;                   /* <forward><driver name>, hostdev only */
        char driver_model[VPORT_DRIVER_MODEL_MAX + 1]; /* <forward><driver model>; "" = unset */

        /* <bridge name stp delay macTableManager>. On isolated and open
         * networks vport makes the bridge: a name that is NULL or a template
         * with one "%d" is chosen at define, as libvirt does. */
        char *bridge_name;
        vport_mac_table_manager mac_table_manager;
        char *bridge_zone; /* <bridge zone>: a firewalld zone; kept, no effect (a notice says so) */
        int bridge_stp;    /* -1 unset (on for a bridge vport makes, as in libvirt), 0 off, 1 on */
        long bridge_delay; /* forward delay in seconds; -1 unset (0) */

        /* The bridge vport makes: <mac address> (generated at define when
         * absent, as libvirt does) and the <ip> addresses it gets. */
        vport_mac mac;
        bool mac_specified;
        vport_ipaddr *ips;
        size_t n_ips;

        /* the device pool; at most one of these three is non-empty */
        char **interfaces; /* <forward><interface dev/>... */
        size_t n_interfaces;
        char *pf;                  /* <forward><pf dev/>: VFs found by the core through sysfs */
        vport_pci_addr *addresses; /* <forward><address type='pci'/>... */
        size_t n_addresses;

        vport_vlan vlan;
        vport_virtualport *virtualport; /* NULL = none */
        vport_bandwidth bandwidth;
        vport_tristate isolated_port; /* <port isolated> */
        vport_portgroup *portgroups;
        size_t n_portgroups;

        char *forward_extra_xml; /* verbatim children of <forward> we do not manage (<nat>) */
        char *l3_xml;            /* verbatim <ip>, <dns>, <domain>, <route>, in document order */
        bool has_ip;             /* an <ip> is there (libvirt would serve DNS on it) */
        bool dns_disabled;       /* <dns enable='no'/>: no DNS server, as vport runs none */
        char *meta_xml;          /* verbatim <title>, <description>, <metadata> */
} vport_network_def;

/* Parse and validate a <network> document (a NUL-terminated string of len
 * bytes). libxml2 runs without network access, entity substitution or DTD
 * loading. Returns 0 with *ret set, -EINVAL with err naming the network,
 * element and attribute, or -ENOMEM. */
int network_def_parse_string(const char *xml, size_t len, vport_network_def **ret, vport_error *err);

/* Parse from a file (same rules). Returns 0, -errno or -EINVAL with err set. */
int network_def_parse_file(const char *path, vport_network_def **ret, vport_error *err);

/* libvirt's validation rules for a filled-in definition (called by the
 * parsers; callers that build a definition in code call it themselves).
 * Returns 0 or -EINVAL with err naming network, element and attribute. */
int network_def_validate(const vport_network_def *def, vport_error *err);

/* What the definition holds that vport keeps (and dumps) but gives no
 * effect: note(userdata, message) is called once per item, each message one
 * line naming the network, element and attribute. */
void network_def_notices(const vport_network_def *def, void (*note)(void *userdata, const char *msg),
                         void *userdata);

/* Format as XML (malloc'ed, NUL-terminated, two-space indent). Returns 0 or -ENOMEM. */
int network_def_format(const vport_network_def *def, char **ret_xml);

/* The portgroup called name, or the default portgroup if name is NULL;
 * NULL if there is none. */
const vport_portgroup *network_def_find_portgroup(const vport_network_def *def, const char *name);

/* What kind of plug a port of this network gets, and for PLUG_DIRECT the
 * macvtap mode (*ret_mode is left alone for other types). Returns the plug
 * type (never PLUG_NONE for a valid definition). */
vport_plug_type network_def_plug_type(const vport_network_def *def, vport_direct_mode *ret_mode);

/* Whether ports of this network may carry a <vlan> (libvirt: hostdev,
 * passthrough, or bridge mode with an openvswitch virtualport, given either on
 * the network or on the portgroup pg, which may be NULL). */
bool network_def_vlan_allowed(const vport_network_def *def, const vport_portgroup *pg);

/* Whether a virtualport of type t fits this network's forward mode. */
bool network_def_virtualport_allowed(const vport_network_def *def, vport_virtualport_type t);

/* Whether <bridge name> is a template ("br%d") still to be resolved. */
bool network_def_bridge_is_template(const vport_network_def *def);

/* Parse one <ip> element into def->ips (the element itself is kept
 * verbatim in l3_xml by the caller). Returns 0, -EINVAL with err, -ENOMEM. */
int network_def_parse_ip(xmlNodePtr node, vport_network_def *def, vport_error *err);

void network_def_free(vport_network_def *def); /* NULL-safe */
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_network_def *, network_def_free);
