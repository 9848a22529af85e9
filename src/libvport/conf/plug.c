/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "base/names.h"
#include "conf/plug.h"
#include "conf/xml-util.h"

static const char *const plug_def_type_table[_PLUG_MAX] = {
        [PLUG_NONE] = "none",     [PLUG_NETWORK] = "network",         [PLUG_BRIDGE] = "bridge",
        [PLUG_DIRECT] = "direct", [PLUG_HOSTDEV_PCI] = "hostdev-pci",
};
DEFINE_STRING_TABLE_LOOKUP(plug_def_type, vport_plug_type);

static const char *const direct_mode_table[_DIRECT_MAX] = {
        [DIRECT_VEPA] = "vepa",
        [DIRECT_PRIVATE] = "private",
        [DIRECT_BRIDGE] = "bridge",
        [DIRECT_PASSTHROUGH] = "passthrough",
};
DEFINE_STRING_TABLE_LOOKUP(direct_mode, vport_direct_mode);

static const char *const mac_table_manager_table[_MAC_TABLE_MANAGER_MAX] = {
        [MAC_TABLE_MANAGER_DEFAULT] = NULL,
        [MAC_TABLE_MANAGER_KERNEL] = "kernel",
        [MAC_TABLE_MANAGER_LIBVIRT] = "libvirt",
};
DEFINE_STRING_TABLE_LOOKUP(mac_table_manager, vport_mac_table_manager);

static const char *const hostdev_driver_table[_HOSTDEV_DRIVER_MAX] = {
        [HOSTDEV_DRIVER_DEFAULT] = NULL,
        [HOSTDEV_DRIVER_KVM] = "kvm",
        [HOSTDEV_DRIVER_VFIO] = "vfio",
        [HOSTDEV_DRIVER_XEN] = "xen",
};
DEFINE_STRING_TABLE_LOOKUP(hostdev_driver, vport_hostdev_driver);

static int plug_parse_str(xmlNodePtr node, const char *attr, char **ret, vport_error *err) {
        _cleanup_xmlfree_ char *s = xml_prop(node, attr);

        if (!s)
                return vport_error_set(err, -EINVAL, "<plug>: missing attribute '%s'", attr);
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

static int plug_parse_bridge(xmlNodePtr node, vport_plug *plug, vport_error *err) {
        _cleanup_xmlfree_ char *mtm = xml_prop(node, "macTableManager");
        int m;

        if (mtm) {
                if ((m = mac_table_manager_from_string(mtm)) < 0)
                        return vport_error_set(
                                err, -EINVAL,
                                "<plug macTableManager='%.32s'>: must be 'kernel' or 'libvirt'", mtm);
                plug->mac_table_manager = m;
        }
        return plug_parse_str(node, "bridge", &plug->bridge, err);
}

static int plug_parse_direct(xmlNodePtr node, vport_plug *plug, vport_error *err) {
        _cleanup_xmlfree_ char *mode = xml_prop(node, "mode");
        int m;

        if (!mode)
                return vport_error_set(err, -EINVAL, "<plug type='direct'>: missing attribute 'mode'");
        if ((m = direct_mode_from_string(mode)) < 0)
                return vport_error_set(
                        err, -EINVAL,
                        "<plug type='direct' mode='%.32s'>: must be vepa, private, bridge or passthrough",
                        mode);
        plug->mode = m;
        return plug_parse_str(node, "dev", &plug->dev, err);
}

int plug_def_parse_pci_address(xmlNodePtr node, bool require_type, vport_pci_addr *ret, vport_error *err) {
        _cleanup_xmlfree_ char *type = xml_prop(node, "type"), *d = xml_prop(node, "domain"),
                               *b = xml_prop(node, "bus"), *s = xml_prop(node, "slot"),
                               *f = xml_prop(node, "function");

        if ((type || require_type) && !streq_ptr(type, "pci"))
                return vport_error_set(err, -EINVAL, "<address type='%.32s'>: only type='pci' is supported",
                                       strempty(type));
        return pci_addr_from_parts(d, b, s, f, ret, err);
}

/* libvirt's genericName: what a kernel module name can be. */
static bool driver_model_valid(const char *m) {
        return *m && strlen(m) <= VPORT_DRIVER_MODEL_MAX &&
               strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-") == strlen(m);
}

int plug_def_parse_driver(xmlNodePtr node, const char *ctx, vport_hostdev_driver *ret_driver,
                          char *ret_model, vport_error *err) {
        _cleanup_xmlfree_ char *name = xml_prop(node, "name"), *model = xml_prop(node, "model");
        int d = HOSTDEV_DRIVER_DEFAULT;

        if (name && (d = hostdev_driver_from_string(name)) <= 0)
                return vport_error_set(err, -EINVAL, "%s<driver name='%.32s'>: must be vfio, kvm or xen",
                                       ctx, name);
        if (model && !driver_model_valid(model))
                return vport_error_set(
                        err, -EINVAL,
                        "%s<driver model='%.64s'>: not a driver name (1-%d of a-z A-Z 0-9 _ + -)", ctx,
                        model, VPORT_DRIVER_MODEL_MAX);
        *ret_driver = d;
        snprintf(ret_model, VPORT_DRIVER_MODEL_MAX + 1, "%s", strempty(model));
        return 0;
}

int plug_def_format_driver(xmlNodePtr parent, vport_hostdev_driver driver, const char *model) {
        xmlNodePtr d;

        if (driver == HOSTDEV_DRIVER_DEFAULT && !model[0])
                return 0;
        if (!(d = xml_add_child(parent, "driver", NULL)) ||
            (driver != HOSTDEV_DRIVER_DEFAULT &&
             xml_set_prop(d, "name", hostdev_driver_to_string(driver)) < 0) ||
            (model[0] && xml_set_prop(d, "model", model) < 0))
                return -ENOMEM;
        return 0;
}

static int plug_parse_hostdev(xmlNodePtr node, vport_plug *plug, vport_error *err) {
        bool seen_addr = false, seen_driver = false;
        int r;

        if ((r = xml_prop_yesno(node, "", "managed", &plug->managed, err)) < 0)
                return r;
        plug->managed_set = r > 0;
        XML_FOREACH_ELEMENT(c, node) {
                if (xml_is(c, "driver") && !seen_driver) {
                        if ((r = plug_def_parse_driver(c, "<plug>", &plug->driver, plug->driver_model,
                                                       err)) < 0)
                                return r;
                        seen_driver = true;
                } else if (xml_is(c, "address") && !seen_addr) {
                        if ((r = plug_def_parse_pci_address(c, false, &plug->addr, err)) < 0)
                                return r;
                        seen_addr = true;
                } else
                        return vport_error_set(
                                err, -EINVAL,
                                "<plug type='hostdev-pci'>: unexpected or duplicate element <%.64s>",
                                c->name);
        }
        if (!seen_addr)
                return vport_error_set(err, -EINVAL, "<plug type='hostdev-pci'>: missing <address>");
        return 0;
}

int plug_def_parse(xmlNodePtr node, vport_plug *ret, vport_error *err) {
        _cleanup_xmlfree_ char *type = xml_prop(node, "type");
        vport_plug plug = { 0 };
        int t, r;

        t = plug_def_type_from_string(type);
        if (t <= PLUG_NONE)
                return vport_error_set(err, -EINVAL,
                                       "<plug type='%.32s'>: must be network, bridge, direct or hostdev-pci",
                                       strempty(type));
        plug.type = t;
        if (t == PLUG_NETWORK || t == PLUG_BRIDGE)
                r = plug_parse_bridge(node, &plug, err);
        else if (t == PLUG_DIRECT)
                r = plug_parse_direct(node, &plug, err);
        else
                r = plug_parse_hostdev(node, &plug, err);
        if (r >= 0)
                r = plug_def_validate(&plug, err);
        if (r < 0) {
                plug_def_clear(&plug);
                return r;
        }
        plug_def_clear(ret);
        *ret = plug;
        return 0;
}

int plug_def_format_pci_address(xmlNodePtr parent, const vport_pci_addr *addr, bool with_type) {
        xmlNodePtr a = xml_add_child(parent, "address", NULL);

        if (!a || (with_type && xml_set_prop(a, "type", "pci") < 0) ||
            xml_set_propf(a, "domain", "0x%04x", addr->domain) < 0 ||
            xml_set_propf(a, "bus", "0x%02x", addr->bus) < 0 ||
            xml_set_propf(a, "slot", "0x%02x", addr->slot) < 0 ||
            xml_set_propf(a, "function", "0x%x", addr->function) < 0)
                return -ENOMEM;
        return 0;
}

/* As libvirt writes it: managed only when given, <driver> when set, an
 * <address> without type. */
static int plug_format_hostdev(xmlNodePtr n, const vport_plug *plug) {
        if ((plug->managed || plug->managed_set) &&
            xml_set_prop(n, "managed", plug->managed ? "yes" : "no") < 0)
                return -ENOMEM;
        if (plug_def_format_driver(n, plug->driver, plug->driver_model) < 0)
                return -ENOMEM;
        return plug_def_format_pci_address(n, &plug->addr, false);
}

int plug_def_format(xmlNodePtr parent, const vport_plug *plug) {
        xmlNodePtr n;

        if (plug->type == PLUG_NONE)
                return 0;
        if (!(n = xml_add_child(parent, "plug", NULL)) ||
            xml_set_prop(n, "type", plug_def_type_to_string(plug->type)) < 0)
                return -ENOMEM;
        switch (plug->type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                if (xml_set_prop(n, "bridge", plug->bridge) < 0)
                        return -ENOMEM;
                if (plug->mac_table_manager != MAC_TABLE_MANAGER_DEFAULT &&
                    xml_set_prop(n, "macTableManager",
                                 mac_table_manager_to_string(plug->mac_table_manager)) < 0)
                        return -ENOMEM;
                return 0;
        case PLUG_DIRECT:
                if (xml_set_prop(n, "dev", plug->dev) < 0 ||
                    xml_set_prop(n, "mode", direct_mode_to_string(plug->mode)) < 0)
                        return -ENOMEM;
                return 0;
        default:
                return plug_format_hostdev(n, plug);
        }
}

int plug_def_validate(const vport_plug *plug, vport_error *err) {
        int r;

        switch (plug->type) {
        case PLUG_NONE:
                return 0;
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                if ((r = ifname_check(plug->bridge, err)) < 0)
                        return vport_error_prefix(err, r, "<plug bridge>");
                return 0;
        case PLUG_DIRECT:
                if ((r = ifname_check(plug->dev, err)) < 0)
                        return vport_error_prefix(err, r, "<plug dev>");
                if (plug->mode >= _DIRECT_MAX)
                        return vport_error_set(err, -EINVAL, "<plug mode>: invalid");
                return 0;
        case PLUG_HOSTDEV_PCI:
                if (plug->addr.slot > 0x1f || plug->addr.function > 7)
                        return vport_error_set(err, -EINVAL,
                                               "<plug><address>: slot or function out of range");
                return 0;
        default:
                return vport_error_set(err, -EINVAL, "<plug type>: invalid");
        }
}

bool plug_def_equal(const vport_plug *a, const vport_plug *b) {
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                return streq_ptr(a->bridge, b->bridge) && a->mac_table_manager == b->mac_table_manager;
        case PLUG_DIRECT:
                return streq_ptr(a->dev, b->dev) && a->mode == b->mode;
        case PLUG_HOSTDEV_PCI:
                return a->managed == b->managed && a->managed_set == b->managed_set &&
                       a->driver == b->driver && streq(a->driver_model, b->driver_model) &&
                       pci_addr_equal(&a->addr, &b->addr);
        default:
                return true;
        }
}

void plug_def_clear(vport_plug *plug) {
        if (!plug)
                return;
        free(plug->bridge);
        free(plug->dev);
        *plug = (vport_plug){ 0 };
}
