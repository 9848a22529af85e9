/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owners: --owner NAME always means one owner UUID, and one UUID one name,
 * so that "every port of vm1" (port-delete --owner, net-destroy's report)
 * is one VM. A name seen before keeps the UUID the live ports record; a
 * new name gets a UUID derived from it (version 5 in vport's namespace),
 * so it is the same on every host and after every reboot. */
#include <stdio.h>

#include "core/internal.h"

#define OWNER_DEFAULT_NAME "unknown"

/* 494d0cbb-f73d-4a13-8b18-b759cd46d35c: vport's namespace for owner names. */
static const vport_uuid owner_namespace = { { 0x49, 0x4d, 0x0c, 0xbb, 0xf7, 0x3d, 0x4a, 0x13, 0x8b, 0x18,
                                              0xb7, 0x59, 0xcd, 0x46, 0xd3, 0x5c } };

void owner_uuid_of_name(const char *name, vport_uuid *ret) {
        uuid_from_name(&owner_namespace, name, ret);
}

/* Only a UUID given: the name the live ports record for it. */
static int name_of_uuid(vport_ctx *ctx, vport_port_def *def, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        store_owner o;
        int r;

        r = store_owner_by_uuid(ctx->store, &def->owner_uuid, &o, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vport_error_set(err, -EINVAL,
                                       "owner UUID %s: no port records a name for it; give the owner's name "
                                       "too (--owner NAME)",
                                       uuid_format(&def->owner_uuid, uuid));
        def->owner_name = TAKE_PTR(o.name);
        return 0;
}

static int check_uuid_free(vport_ctx *ctx, const vport_port_def *def, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN], port[VPORT_UUID_STRLEN];
        store_owner o;
        bool found;
        int r;

        r = store_owner_by_uuid(ctx->store, &def->owner_uuid, &o, err);
        found = r > 0;
        if (found && !streq(o.name, def->owner_name))
                r = vport_error_set(
                        err, -EEXIST,
                        "owner UUID %s already belongs to owner '%s' (port %s); refusing the name "
                        "'%s' for it",
                        uuid_format(&def->owner_uuid, uuid), o.name, uuid_format(&o.port, port),
                        def->owner_name);
        if (found)
                store_owner_clear(&o);
        return r < 0 ? r : 0;
}

int owner_resolve(vport_ctx *ctx, vport_port_def *def, vport_error *err) {
        char want[VPORT_UUID_STRLEN], have[VPORT_UUID_STRLEN], port[VPORT_UUID_STRLEN];
        bool have_uuid = !uuid_is_null(&def->owner_uuid);
        store_owner o;
        bool found;
        int r;

        if (!def->owner_name && have_uuid)
                return name_of_uuid(ctx, def, err);
        if (!def->owner_name && !(def->owner_name = strdup(OWNER_DEFAULT_NAME)))
                return -ENOMEM;
        r = store_owner_by_name(ctx->store, def->owner_name, &o, err);
        if (r < 0)
                return r;
        found = r > 0;
        if (found && have_uuid && !uuid_equal(&o.uuid, &def->owner_uuid))
                r = vport_error_set(err, -EEXIST,
                                    "owner '%s' already has UUID %s (port %s); refusing UUID %s for it",
                                    def->owner_name, uuid_format(&o.uuid, have), uuid_format(&o.port, port),
                                    uuid_format(&def->owner_uuid, want));
        else if (r > 0)
                def->owner_uuid = o.uuid;
        else if (!have_uuid)
                owner_uuid_of_name(def->owner_name, &def->owner_uuid);
        if (found) /* also when refused: o.name was read */
                store_owner_clear(&o);
        return r < 0 ? r : check_uuid_free(ctx, def, err);
}
