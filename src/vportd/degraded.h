/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ports the daemon saw lose a device (their tap, macvtap, VF netdev or the
 * lower device under it): kept in memory, shown as "degraded" in the port's
 * JSON (Get, List, the events). A mark holds while the port has the
 * interface it had when the device went: a port prepared again, or deleted
 * and its UUID reused, is sound again without anyone clearing it. */
#pragma once

#include <json-c/json.h>

#include "core/vport.h"

/* Mark port p degraded for reason (copied). Returns 0 or -ENOMEM. */
int vd_degraded_mark(const vport_port *p, const char *reason);
/* Why p is degraded, or NULL. */
const char *vd_degraded_reason(const vport_port *p);
/* Forget the marks of ports that no longer hold what they held. */
void vd_degraded_clear(void);

/* vport_port_to_json(p) plus "degraded": REASON for a degraded port: what
 * every method of the daemon answers about a port. Written as text and
 * only printable (vport_json_verbatim(): to json-c an empty object): a
 * reply or an event carries it, nothing reads members from it. NULL for
 * lack of memory. */
json_object *vd_port_json(const vport_port *p);

/* A network was started through the daemon: events.c counts its pool now,
 * so a later change of it is reported (a no-op until it registered). */
typedef struct vd_server vd_server;
void vd_network_started(vd_server *s, const char *name);
void vd_network_started_register(void (*fn)(const char *name));
#define vd_server_of(c) ((c)->server)
