/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.varlink.service, VFs, Reconcile and Monitor. */
#include "config.h"
#include "core/sriov.h"
#include "method.h"

static int get_info(vd_call *c) {
        json_object *ifaces = json_object_new_array();

        json_object_array_add(ifaces, json_object_new_string("org.varlink.service"));
        json_object_array_add(ifaces, json_object_new_string("io.vport"));
        vd_reply(c, "vendor", json_object_new_string("vport"));
        vd_reply(c, "product", json_object_new_string("vportd"));
        vd_reply(c, "version", json_object_new_string(VPORT_VERSION));
        vd_reply(c, "url", json_object_new_string("man:vportd(8)"));
        return vd_reply(c, "interfaces", ifaces);
}

/* The org.varlink.service interface as the varlink spec defines it. */
static const char service_description[] =
        "# The Varlink Service Interface is provided by every varlink service.\n"
        "interface org.varlink.service\n\n"
        "method GetInfo() -> (\n  vendor: string,\n  product: string,\n  version: string,\n"
        "  url: string,\n  interfaces: []string\n)\n\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
        "error InterfaceNotFound (interface: string)\n"
        "error MethodNotFound (method: string)\n"
        "error MethodNotImplemented (method: string)\n"
        "error InvalidParameter (parameter: string)\n"
        "error PermissionDenied ()\n"
        "error ExpectedMore ()\n";

static int get_interface_description(vd_call *c) {
        const char *name = vd_str(c, "interface");

        if (streq(name, "io.vport"))
                return vd_reply(c, "description", json_object_new_string(vd_interface_description));
        if (streq(name, "org.varlink.service"))
                return vd_reply(c, "description", json_object_new_string(service_description));
        c->error = "org.varlink.service.InterfaceNotFound";
        c->error_params = json_object_new_object();
        json_object_object_add(c->error_params, "interface", json_object_new_string(name));
        return -ENOENT;
}

static int vf_list(vd_call *c) {
        const char *pf = vd_str(c, "pf");
        vport_vf **vfs = NULL;
        json_object *list;
        size_t n = 0;
        int r;

        vd_object(c, "pf", pf);
        if ((r = vport_pf_list_vfs(vd_ctx(c), pf, &vfs, &n, &c->err)) < 0)
                return vd_fail(c, r);
        list = vport_vfs_to_json(vfs, n);
        vport_vf_array_free(vfs, n);
        return vd_reply(c, "vfs", list);
}

static int vf_set_mac(vd_call *c) {
        _cleanup_(vport_vf_freep) vport_vf *vf = NULL;
        vport_vf_mac_method method;
        json_object *o;
        vport_mac mac;
        int r;

        vd_object(c, "vf", vd_str(c, "vf"));
        (void) vd_mac(c, "mac", &mac);
        if ((r = vport_vf_set_mac_named(vd_ctx(c), vd_str(c, "vf"), vd_str(c, "index"), &mac, &method, &vf,
                                        &c->err)) < 0)
                return vd_fail(c, r);
        o = vport_vf_to_json(vf);
        json_object_object_add(o, "method", json_object_new_string(vport_vf_mac_method_to_string(method)));
        vd_emit(c->server, "vf-mac-set", json_object_get(o));
        return vd_reply(c, "vf", o);
}

/* {handled, repaired, drift}: what `vport reconcile --json` prints. */
static int reconcile(vd_call *c) {
        vport_repair **repaired = NULL;
        vport_drift_item **drift = NULL;
        size_t n_repaired = 0, n_drift = 0;
        json_object *o;
        int r, handled;

        if ((r = vport_reconcile_ex(vd_ctx(c), &repaired, &n_repaired, &c->err)) < 0)
                return vd_fail(c, r);
        handled = r;
        if ((r = vport_drift(vd_ctx(c), &drift, &n_drift, &c->err)) < 0) {
                vport_repair_array_free(repaired, n_repaired);
                return vd_fail(c, r);
        }
        o = vport_reconcile_report_to_json(handled, repaired, n_repaired, drift, n_drift);
        vport_repair_array_free(repaired, n_repaired);
        vport_drift_item_array_free(drift, n_drift);
        return vd_reply(c, "result", o);
}

/* Subscribe: the first reply says so ({event: {seq, kind: "subscribed"}}),
 * then one reply per event, all with "continues". */
static int monitor(vd_call *c) {
        json_object *e;

        if (!c->more) {
                c->error = "org.varlink.service.ExpectedMore";
                return -EINVAL;
        }
        c->keep = true;
        e = json_object_new_object();
        json_object_object_add(e, "kind", json_object_new_string("subscribed"));
        return vd_reply(c, "event", e);
}

const vd_method vd_methods_service[] = {
        { "org.varlink.service.GetInfo", get_info, 0, {} },
        { "org.varlink.service.GetInterfaceDescription",
          get_interface_description,
          0,
          { { "interface", P_STRING, true } } },
};
const size_t vd_n_methods_service = ELEMENTSOF(vd_methods_service);

const vd_method vd_methods_misc[] = {
        { "io.vport.VFList", vf_list, 0, { { "pf", P_IFNAME, true } } },
        { "io.vport.VFSetMAC",
          vf_set_mac,
          VD_ROOT,
          { { "vf", P_DEVICE, true }, { "index", P_STRING, false }, { "mac", P_MAC, true } } },
        { "io.vport.Reconcile", reconcile, VD_ROOT, {} },
        { "io.vport.Monitor", monitor, 0, {} },
};
const size_t vd_n_methods_misc = ELEMENTSOF(vd_methods_misc);
