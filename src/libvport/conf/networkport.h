/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's <networkport>: one guest NIC's port on a network. The core fills
 * plug when it allocates a device. */
#pragma once

#include "base/error.h"
#include "base/mac.h"
#include "base/uuid.h"
#include "base/vlan.h"
#include "conf/bandwidth.h"
#include "conf/network.h"
#include "conf/plug.h"
#include "conf/virtualport.h"

/* libvirt's <teaming> of a domain <interface>, kept on the port (vport's
 * extension of <networkport>): a failover pair of a paravirtual NIC
 * (persistent: a tap or macvtap plug, QEMU failover=on) and a VF (transient:
 * hostdev, QEMU failover_pair_id) with the same MAC, on ports of one owner.
 * persistent= names the persistent port by its UUID (libvirt names the
 * domain interface's alias; a port has none). */
typedef enum vport_teaming_type {
        TEAMING_NONE,
        TEAMING_PERSISTENT,
        TEAMING_TRANSIENT,
} vport_teaming_type;

typedef struct vport_port_def {
        vport_uuid uuid;       /* generated when the XML has none */
        bool uuid_generated;   /* the XML had no <uuid> */
        char *owner_name;      /* <owner><name> */
        vport_uuid owner_uuid; /* <owner><uuid> */
        char *group;           /* <group>: portgroup name; NULL = the default portgroup */
        vport_mac mac;         /* <mac address>, required */
        vport_vlan vlan;
        vport_virtualport *virtualport; /* NULL = none */
        vport_bandwidth bandwidth;
        vport_tristate trust_guest_rx_filters; /* <rxfilters trustGuest>: for the hypervisor, kept */
        vport_tristate isolated_port;          /* <port isolated>; resolved from portgroup / network */
        vport_plug plug;                       /* type PLUG_NONE until allocated */
        vport_teaming_type teaming;
        vport_uuid teaming_persistent; /* TEAMING_TRANSIENT: the persistent port */
} vport_port_def;

/* Parse and validate a <networkport> document. Returns 0 with *ret set,
 * -EINVAL with err naming the element and attribute, or -ENOMEM. */
int port_def_parse_string(const char *xml, size_t len, vport_port_def **ret, vport_error *err);

/* Rules that need no network: owner present, guest MAC unicast and non-zero,
 * vlan consistent, virtualport without foreign parameters, plug consistent.
 * Returns 0 or -EINVAL with err set. */
int port_def_validate(const vport_port_def *def, vport_error *err);

/* Format as XML (malloc'ed), in libvirt's element order. Returns 0 or -ENOMEM. */
int port_def_format(const vport_port_def *def, char **ret_xml);

/* Fill in the port's effective settings from its network, as libvirt's
 * networkAllocatePort does: the portgroup is the named one (a name the
 * network lacks means no portgroup, as in libvirt) or the network's default; virtualport = merge of port,
 * network and portgroup (a conflicting field is an error naming it), then checked for type vs forward mode
 * and completeness (missing 802.1Qbg instanceid / openvswitch interfaceid generated); vlan = port's, else
 * portgroup's, else network's; bandwidth = port's, else portgroup's (the network's own <bandwidth> limits
 * the whole network, it is not a per-port default); trustGuestRxFilters = port's, else portgroup's, else
 * network's; <port isolated> likewise (libvirt 11.3 reads no <port> in a portgroup; vport keeps and
 * honours it). A portgroup virtualport that conflicts with the network's fails here (libvirt accepts such a
 * definition and refuses the port), the message naming both values. Modifies def in place. Returns 0,
 * -EINVAL with err set, or -ENOMEM. */
int port_def_resolve(vport_port_def *def, const vport_network_def *net, vport_error *err);

/* The checks libvirt makes when a guest starts on the port (vport: at
 * prepare): a VLAN only where the mode supports it, no bandwidth on a
 * hostdev, <port isolated='yes'> only on a tap in a bridge without a
 * <virtualport>. Returns 0 or -EINVAL with err naming network, port and element. */
int port_def_check_mode(const vport_port_def *def, const vport_network_def *net, vport_error *err);

vport_port_def *port_def_new(void);      /* zeroed; NULL on ENOMEM */
void port_def_free(vport_port_def *def); /* NULL-safe */
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_port_def *, port_def_free);
