/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon does on its own: at start, autostart networks and
 * reconcile; then, for as long as it runs, watch the kernel's link
 * notifications for the devices its ports use. */
#pragma once

#include <systemd/sd-event.h>

#include "core/vport.h"
#include "server.h"

/* Start every network marked autostart that is not active, then reconcile
 * (journal repairs, stale rows, and the drift of what is left). Each step's
 * outcome is logged to stderr and emitted as an event; a failure is
 * reported and the daemon goes on. */
void vd_startup(vport_ctx *ctx, vd_server *server);

/* Subscribe to RTNLGRP_LINK (through the context's kernel ops) under
 * event: a device a port uses that disappears marks the port degraded
 * ("port-degraded"), a lower device / PF / bridge of a port that goes down
 * is a "device-down" warning ("device-up" when it is back). Returns 0 or
 * -errno. */
int vd_link_watch(sd_event *event, vport_ctx *ctx, vd_server *server);
