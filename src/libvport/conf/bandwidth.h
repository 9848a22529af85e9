/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <bandwidth><inbound average peak burst floor/><outbound .../></bandwidth>,
 * libvirt's units: average/peak/floor in kB/s, burst in kB. */
#pragma once

#include <libxml/tree.h>
#include <stdint.h>

#include "base/error.h"

typedef struct vport_rate {
        bool set;         /* the <inbound>/<outbound> element was present */
        uint64_t average; /* 0 = unset */
        uint64_t peak;    /* 0 = unset */
        uint64_t burst;   /* 0 = unset */
        uint64_t floor;   /* inbound only; 0 = unset */
} vport_rate;

typedef struct vport_bandwidth {
        vport_rate in, out;
        uint32_t class_id; /* <bandwidth classID>: a port's tc class (libvirt's floor QoS); 0 = unset */
} vport_bandwidth;

static inline bool bandwidth_is_set(const vport_bandwidth *bw) {
        return bw && (bw->in.set || bw->out.set);
}

/* Parse a <bandwidth> element. Rules (libvirt's virNetDevBandwidthParse):
 * each direction at most once, average required unless inbound floor is
 * given, floor only inbound, numbers are unsigned decimal; classID (a
 * positive number) only where allow_class_id (a port: libvirt refuses it on a
 * network or portgroup). Returns 0 or -EINVAL with err naming the element
 * and attribute. */
int bandwidth_def_parse(xmlNodePtr node, bool allow_class_id, vport_bandwidth *ret, vport_error *err);

/* Append <bandwidth> under parent if bw is set. Returns 0 or -ENOMEM. */
int bandwidth_def_format(xmlNodePtr parent, const vport_bandwidth *bw);

bool bandwidth_def_equal(const vport_bandwidth *a, const vport_bandwidth *b);
