/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container ports (CNI): what the plug drivers share about a port whose
 * interface lives in a container's network namespace. */
#pragma once

#include "core/internal.h"

static inline bool port_is_container(const vport_port *port) {
        return port->rt.cifname[0] != '\0';
}

/* A namespace path vport keeps: absolute, no "..", only [A-Za-z0-9/._:-],
 * shorter than VPORT_NETNS_PATH_MAX. Returns 0 or -EINVAL naming it. */
int container_netns_check(const char *path, vport_error *err);

/* The request's container fields checked against the network and copied
 * into port->rt. Returns 0 or -EINVAL naming the field. */
int container_request(const vport_port_request *req, const vport_network_def *net, vport_port *port,
                      vport_error *err);

/* A kernel context in the port's namespace (close with ctx->ops->netns_close).
 * -ENOENT (err set) if the namespace is gone. */
int container_open(vport_ctx *ctx, const vport_port *port, vport_kernel **ret, vport_error *err);
/* As container_open() for a release, where a namespace already gone means
 * nothing is left in it: 1 opened, 0 gone (err cleared), < 0 an error. */
int container_open_present(vport_ctx *ctx, const vport_port *port, vport_kernel **ret, vport_error *err);

/* Bring the container interface up (activate) or down (deactivate); a
 * namespace or interface already gone counts as done when going down. */
int container_set_up(vport_ctx *ctx, const vport_port *port, bool up, vport_error *err);

/* CHECK for a hostdev port: the VF's admin MAC and VLAN are what the port
 * set. Returns 0, -EREMCHG / -EBADSLT / -ENODEV naming the VF. */
int sriov_port_check_vf(vport_ctx *ctx, const vport_port *port, vport_error *err);
