/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Results in the shape of the requested cniVersion: 0.3.x and 0.4.0 carry
 * a "version" ("4"/"6") in every IP, 1.x does not; 1.1 interfaces may
 * carry a pciID. */
#include <stdlib.h>
#include <string.h>

#include "cni.h"

static json_object *array_field(json_object *o, const char *key) {
        json_object *a;

        if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array))
                return a;
        a = json_object_new_array();
        json_object_object_add(o, key, a);
        return a;
}

json_object *cni_result_new(const char *version) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "cniVersion", json_object_new_string(version));
        array_field(o, "interfaces");
        array_field(o, "ips");
        return o;
}

static const char *ip_family(const char *address) {
        return strchr(address, ':') ? "6" : "4";
}

/* One IP entry in version's shape. */
static json_object *ip_entry(json_object *ip, const char *version, int iface) {
        json_object *o = json_object_new_object(), *v;
        const char *addr = json_object_object_get_ex(ip, "address", &v) ? json_object_get_string(v) : NULL;

        if (!addr)
                return NULL;
        if (!cni_version_at_least(version, "1.0.0"))
                json_object_object_add(o, "version", json_object_new_string(ip_family(addr)));
        json_object_object_add(o, "address", json_object_new_string(addr));
        if (json_object_object_get_ex(ip, "gateway", &v) && json_object_is_type(v, json_type_string))
                json_object_object_add(o, "gateway", json_object_get(v));
        if (iface >= 0)
                json_object_object_add(o, "interface", json_object_new_int(iface));
        return o;
}

int cni_result_add_ipam(json_object *res, const char *version, json_object *ipam, int iface, cni_error *e) {
        json_object *ips = array_field(res, "ips"), *a, *d;

        if (json_object_object_get_ex(ipam, "ips", &a) && json_object_is_type(a, json_type_array))
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        json_object *ip = ip_entry(json_object_array_get_idx(a, i), version, iface);
                        if (!ip)
                                return cni_fail(e, CNI_ERR_DECODE, "IPAM result: ips[%zu] has no address",
                                                i);
                        json_object_array_add(ips, ip);
                }
        if (json_object_object_get_ex(ipam, "routes", &a) && json_object_is_type(a, json_type_array)) {
                json_object *routes = array_field(res, "routes");
                for (size_t i = 0; i < json_object_array_length(a); i++)
                        json_object_array_add(routes, json_object_get(json_object_array_get_idx(a, i)));
        }
        if (json_object_object_get_ex(ipam, "dns", &d) && json_object_is_type(d, json_type_object) &&
            json_object_object_length(d) > 0)
                json_object_object_add(res, "dns", json_object_get(d));
        return 0;
}

int cni_result_addresses(json_object *res, int iface, const char ***ret, size_t *ret_n) {
        json_object *a, *v;
        size_t n = 0, len;
        const char **out;

        *ret = NULL;
        *ret_n = 0;
        if (!json_object_object_get_ex(res, "ips", &a) || !json_object_is_type(a, json_type_array))
                return 0;
        len = json_object_array_length(a);
        out = calloc(len + 1, sizeof(*out));
        if (!out)
                return -1;
        for (size_t i = 0; i < len; i++) {
                json_object *ip = json_object_array_get_idx(a, i);
                if (iface >= 0 && json_object_object_get_ex(ip, "interface", &v) &&
                    json_object_get_int(v) != iface)
                        continue;
                if (json_object_object_get_ex(ip, "address", &v) && json_object_is_type(v, json_type_string))
                        out[n++] = json_object_get_string(v);
        }
        *ret = out;
        *ret_n = n;
        return 0;
}
