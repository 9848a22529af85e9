/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <virtualport type='802.1Qbg|802.1Qbh|openvswitch'><parameters .../></virtualport>,
 * as libvirt's virNetDevVPortProfile: every parameter remembers whether it was
 * given, so a network, a portgroup and a port can each supply a part. */
#pragma once

#include <libxml/tree.h>
#include <stdint.h>

#include "base/error.h"
#include "base/uuid.h"

#define VPORT_PROFILEID_MAX 39 /* libvirt's LIBVIRT_PROFILEID_BUF_SIZE - 1 */
#define VPORT_TYPEID_MAX    0xffffff

typedef enum vport_virtualport_type {
        VIRTUALPORT_NONE, /* <virtualport> without type: only for merging */
        VIRTUALPORT_8021QBG,
        VIRTUALPORT_8021QBH,
        VIRTUALPORT_OPENVSWITCH,
        VIRTUALPORT_MIDONET, /* read and kept as libvirt does; no network port may use it */
        _VIRTUALPORT_MAX,
} vport_virtualport_type;

typedef struct vport_virtualport {
        vport_virtualport_type type;
        bool has_manager_id, has_type_id, has_type_id_version, has_instance_id, has_interface_id;
        uint8_t manager_id;                       /* 802.1Qbg */
        uint32_t type_id;                         /* 802.1Qbg, 24 bits */
        uint8_t type_id_version;                  /* 802.1Qbg */
        vport_uuid instance_id;                   /* 802.1Qbg */
        char profile_id[VPORT_PROFILEID_MAX + 1]; /* 802.1Qbh, openvswitch; "" = unset */
        vport_uuid interface_id;                  /* openvswitch, midonet */
} vport_virtualport;

const char *virtualport_def_type_to_string(vport_virtualport_type t);
int virtualport_def_type_from_string(const char *s);

/* Parse a <virtualport> element into a new object. require_type: the type
 * attribute must be present (a network's own <virtualport>). Checks ranges and
 * that no parameter foreign to the type is given. Returns 0 or -EINVAL/-ENOMEM
 * with err naming the attribute. */
int virtualport_def_parse(xmlNodePtr node, bool require_type, vport_virtualport **ret, vport_error *err);

/* Append <virtualport> under parent (nothing if vp is NULL). Returns 0 or -ENOMEM. */
int virtualport_def_format(xmlNodePtr parent, const vport_virtualport *vp);

/* Parameters given that the type does not take (libvirt's
 * virNetDevVPortProfileCheckNoExtras). Returns 0 or -EINVAL with err set. */
int virtualport_def_check_no_extras(const vport_virtualport *vp, vport_error *err);

/* Parameters the type needs before use (libvirt's CheckComplete): 802.1Qbg
 * managerid/typeid/typeidversion, 802.1Qbh profileid. If generate_missing,
 * a missing 802.1Qbg instanceid / openvswitch interfaceid is generated.
 * Returns 0, -EINVAL with err naming the attribute, or -errno from getrandom. */
int virtualport_def_check_complete(vport_virtualport *vp, bool generate_missing, vport_error *err);

/* libvirt's virNetDevVPortProfileMerge3: the union of port, network and
 * portgroup (each may be NULL). A field set in two of them with different
 * values, or two different types, is an error naming the field. *ret is NULL
 * if all three are NULL. Returns 0, -EINVAL (err set) or -ENOMEM. */
int virtualport_def_merge3(const vport_virtualport *port, const vport_virtualport *network,
                           const vport_virtualport *portgroup, vport_virtualport **ret, vport_error *err);

bool virtualport_def_equal(const vport_virtualport *a, const vport_virtualport *b); /* NULL-safe */
