/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a port is attached on the host: libvirt's <plug> in <networkport>. */
#pragma once

#include <libxml/tree.h>

#include "base/error.h"
#include "base/pci.h"

typedef enum vport_plug_type {
        PLUG_NONE,        /* not allocated yet */
        PLUG_NETWORK,     /* tap on a bridge the network's L3 setup owns (nat/route/open/isolated) */
        PLUG_BRIDGE,      /* tap on an existing host bridge (forward mode='bridge' with <bridge name>) */
        PLUG_DIRECT,      /* macvtap on a host interface */
        PLUG_HOSTDEV_PCI, /* PCI device (an SR-IOV VF) given to the guest */
        _PLUG_MAX,
} vport_plug_type;

typedef enum vport_direct_mode {
        DIRECT_VEPA,
        DIRECT_PRIVATE,
        DIRECT_BRIDGE,
        DIRECT_PASSTHROUGH,
        _DIRECT_MAX,
} vport_direct_mode;

typedef enum vport_mac_table_manager {
        MAC_TABLE_MANAGER_DEFAULT, /* attribute absent */
        MAC_TABLE_MANAGER_KERNEL,
        MAC_TABLE_MANAGER_LIBVIRT,
        _MAC_TABLE_MANAGER_MAX,
} vport_mac_table_manager;

typedef enum vport_hostdev_driver {
        HOSTDEV_DRIVER_DEFAULT, /* no <driver>: vfio */
        HOSTDEV_DRIVER_VFIO,
        _HOSTDEV_DRIVER_MAX,
} vport_hostdev_driver;

const char *
plug_type_to_string(vport_plug_type t); /* "none", "network", "bridge", "direct", "hostdev-pci" */
int plug_type_from_string(const char *s);
const char *direct_mode_to_string(vport_direct_mode m); /* "vepa", "private", "bridge", "passthrough" */
int direct_mode_from_string(const char *s);
const char *
mac_table_manager_to_string(vport_mac_table_manager m); /* NULL for DEFAULT, "kernel", "libvirt" */
int mac_table_manager_from_string(const char *s);
const char *hostdev_driver_to_string(vport_hostdev_driver d); /* NULL for DEFAULT, "vfio" */
int hostdev_driver_from_string(const char *s);

typedef struct vport_plug {
        vport_plug_type type;
        /* PLUG_NETWORK, PLUG_BRIDGE */
        char *bridge;
        vport_mac_table_manager mac_table_manager;
        /* PLUG_DIRECT */
        char *dev;
        vport_direct_mode mode;
        /* PLUG_HOSTDEV_PCI */
        bool managed;
        vport_hostdev_driver driver;
        vport_pci_addr addr;
} vport_plug;

/* Parse a <plug> element into ret (cleared first). Returns 0 or
 * -EINVAL/-ENOMEM with err naming the attribute. */
int plug_parse(xmlNodePtr node, vport_plug *ret, vport_error *err);

/* Append <plug> under parent (nothing for PLUG_NONE). Returns 0 or -ENOMEM. */
int plug_format(xmlNodePtr parent, const vport_plug *plug);

/* Consistency of a filled-in plug (names valid, fields of its type present).
 * Returns 0 or -EINVAL with err set. */
int plug_validate(const vport_plug *plug, vport_error *err);

/* <address type='pci' domain bus slot function/> (also used inside <forward>).
 * Returns 0 or -EINVAL with err naming the attribute. */
int plug_parse_pci_address(xmlNodePtr node, vport_pci_addr *ret, vport_error *err);

/* Append that <address> under parent. Returns 0 or -ENOMEM. */
int plug_format_pci_address(xmlNodePtr parent, const vport_pci_addr *addr);

int plug_copy(vport_plug *dst, const vport_plug *src); /* 0 or -ENOMEM; dst overwritten */
bool plug_equal(const vport_plug *a, const vport_plug *b);
void plug_clear(vport_plug *plug); /* frees strings, zeroes */
