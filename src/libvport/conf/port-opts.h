/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's <port isolated='yes|no'/> (virNetworkPortOptions). */
#pragma once

#include <libxml/tree.h>

#include "base/error.h"
#include "conf/tristate.h"

/* Parse one <port> element: isolated is 'yes', 'no' or absent; no other
 * attribute or child. Returns 0 or -EINVAL with err naming the value. */
int port_opts_def_parse(xmlNodePtr node, vport_tristate *ret, vport_error *err);

/* Append <port isolated='...'/> to parent unless v is TRISTATE_ABSENT.
 * Returns 0 or -ENOMEM. */
int port_opts_def_format(xmlNodePtr parent, vport_tristate v);
