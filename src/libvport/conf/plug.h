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

/* libvirt's <driver name>. 'kvm' (legacy assignment, gone from the kernel)
 * and 'xen' are read and kept as libvirt's network driver does; like
 * libvirt's domain layer, vport refuses them when a port is prepared. */
typedef enum vport_hostdev_driver {
        HOSTDEV_DRIVER_DEFAULT, /* no <driver name>: vfio */
        HOSTDEV_DRIVER_KVM,
        HOSTDEV_DRIVER_VFIO,
        HOSTDEV_DRIVER_XEN,
        _HOSTDEV_DRIVER_MAX,
} vport_hostdev_driver;

/* <driver model='...'>: the VFIO variant driver to bind instead of vfio-pci
 * (libvirt 11), a module name. */
#define VPORT_DRIVER_MODEL_MAX 63

const char *
plug_def_type_to_string(vport_plug_type t); /* "none", "network", "bridge", "direct", "hostdev-pci" */
int plug_def_type_from_string(const char *s);
const char *direct_mode_to_string(vport_direct_mode m); /* "vepa", "private", "bridge", "passthrough" */
int direct_mode_from_string(const char *s);
const char *
mac_table_manager_to_string(vport_mac_table_manager m); /* NULL for DEFAULT, "kernel", "libvirt" */
int mac_table_manager_from_string(const char *s);
const char *hostdev_driver_to_string(vport_hostdev_driver d); /* NULL for DEFAULT, "kvm", "vfio", "xen" */
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
        bool managed_set; /* the managed attribute was given (managed='no' is kept) */
        vport_hostdev_driver driver;
        char driver_model[VPORT_DRIVER_MODEL_MAX + 1]; /* "" = unset */
        vport_pci_addr addr;
} vport_plug;

/* Parse a <plug> element into ret (cleared first). Returns 0 or
 * -EINVAL/-ENOMEM with err naming the attribute. */
int plug_def_parse(xmlNodePtr node, vport_plug *ret, vport_error *err);

/* Append <plug> under parent (nothing for PLUG_NONE). Returns 0 or -ENOMEM. */
int plug_def_format(xmlNodePtr parent, const vport_plug *plug);

/* Consistency of a filled-in plug (names valid, fields of its type present).
 * Returns 0 or -EINVAL with err set. */
int plug_def_validate(const vport_plug *plug, vport_error *err);

/* <address type='pci' domain bus slot function/> (also used inside <forward>).
 * require_type: the type attribute must be there (a network's <forward>
 * pool); libvirt writes a port's <plug><address> without it. A type other
 * than 'pci' is always refused. Returns 0 or -EINVAL with err naming the
 * attribute. */
int plug_def_parse_pci_address(xmlNodePtr node, bool require_type, vport_pci_addr *ret, vport_error *err);

/* Append that <address> under parent, with type='pci' if with_type. Returns 0 or -ENOMEM. */
int plug_def_format_pci_address(xmlNodePtr parent, const vport_pci_addr *addr, bool with_type);

/* <driver name='vfio' model='...'/> (a <forward>'s or a <plug>'s): parse
 * into *ret_driver and ret_model (VPORT_DRIVER_MODEL_MAX + 1 bytes). ctx
 * prefixes messages. Returns 0 or -EINVAL with err naming the attribute. */
int plug_def_parse_driver(xmlNodePtr node, const char *ctx, vport_hostdev_driver *ret_driver,
                          char *ret_model, vport_error *err);

/* Append that <driver> under parent (nothing when both are unset). Returns 0 or -ENOMEM. */
int plug_def_format_driver(xmlNodePtr parent, vport_hostdev_driver driver, const char *model);

bool plug_def_equal(const vport_plug *a, const vport_plug *b);
void plug_def_clear(vport_plug *plug); /* frees strings, zeroes */
