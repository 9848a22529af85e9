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

/* The UUID a port is given must not be another owner's: o is the owner
 * the live ports record under it, if any. */
static int check_uuid_owner(const vport_port_def *def, const store_owner *o, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN], port[VPORT_UUID_STRLEN];

        if (!o || streq(o->name, def->owner_name))
                return 0;
        return vport_error_set(err, -EEXIST,
                               "owner UUID %s already belongs to owner '%s' (port %s); refusing the name "
                               "'%s' for it",
                               uuid_format(&def->owner_uuid, uuid), o->name, uuid_format(&o->port, port),
                               def->owner_name);
}

static int check_uuid_free(vport_ctx *ctx, const vport_port_def *def, vport_error *err) {
        store_owner o;
        int r;

        r = store_owner_by_uuid(ctx->store, &def->owner_uuid, &o, err);
        if (r <= 0)
                return r;
        r = check_uuid_owner(def, &o, err);
        store_owner_clear(&o);
        return r;
}

/* The name's owner and the UUID's, read together (store_owner_pair())
 * for the UUID the port will most likely get: the one given, else the
 * name's own. Only a name recorded under another UUID than its own needs
 * a second read, of that UUID. */
int owner_resolve(vport_ctx *ctx, vport_port_def *def, vport_error *err) {
        char want[VPORT_UUID_STRLEN], have[VPORT_UUID_STRLEN], port[VPORT_UUID_STRLEN];
        bool have_uuid = !uuid_is_null(&def->owner_uuid);
        store_owner by_name, by_uuid;
        vport_uuid guess;
        int r, found;

        if (!def->owner_name && have_uuid)
                return name_of_uuid(ctx, def, err);
        if (!def->owner_name && !(def->owner_name = strdup(OWNER_DEFAULT_NAME)))
                return -ENOMEM;
        if (have_uuid)
                guess = def->owner_uuid;
        else
                owner_uuid_of_name(def->owner_name, &guess);
        found = store_owner_pair(ctx->store, def->owner_name, &guess, &by_name, &by_uuid, err);
        if (found < 0)
                return found;
        r = 0;
        if ((found & STORE_OWNER_BY_NAME) && have_uuid && !uuid_equal(&by_name.uuid, &def->owner_uuid))
                r = vport_error_set(err, -EEXIST,
                                    "owner '%s' already has UUID %s (port %s); refusing UUID %s for it",
                                    def->owner_name, uuid_format(&by_name.uuid, have),
                                    uuid_format(&by_name.port, port), uuid_format(&def->owner_uuid, want));
        else
                def->owner_uuid = found & STORE_OWNER_BY_NAME ? by_name.uuid : guess;
        if (r >= 0 && uuid_equal(&def->owner_uuid, &guess))
                r = check_uuid_owner(def, found & STORE_OWNER_BY_UUID ? &by_uuid : NULL, err);
        else if (r >= 0)
                r = check_uuid_free(ctx, def, err);
        if (found & STORE_OWNER_BY_NAME)
                store_owner_clear(&by_name);
        if (found & STORE_OWNER_BY_UUID)
                store_owner_clear(&by_uuid);
        return r;
}
