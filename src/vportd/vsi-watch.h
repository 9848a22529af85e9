/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "server.h"

/* Watch ctx's 802.1Qbg event socket in event: ports whose VSI the switch
 * ended are associated again and announced to Monitor subscribers through
 * server. Returns 0 or -errno. */
int vd_vsi_watch(sd_event *event, vport_ctx *ctx, vd_server *server);
