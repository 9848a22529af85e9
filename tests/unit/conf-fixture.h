/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the conf tests share: parse a document that must parse, one that
 * must be refused naming what is wrong, and a round trip. Every helper
 * fails the test when the document does not behave. */
#pragma once

#include "conf/network.h"
#include "conf/networkport.h"

vport_network_def *tu_net_ok(const char *xml);
vport_port_def *tu_port_ok(const char *xml);

/* The parse fails with -EINVAL and a message holding every needle (any
 * number of strings; a NULL ends them early). */
#define tu_net_fail(xml, ...)  tu_net_fail_(xml, __VA_ARGS__, NULL)
#define tu_port_fail(xml, ...) tu_port_fail_(xml, __VA_ARGS__, NULL)
void tu_net_fail_(const char *xml, ...);
void tu_port_fail_(const char *xml, ...);

/* The network formatted; the text parses back and formats the same.
 * Returns the text (the caller frees it). */
char *tu_net_roundtrip(const char *xml);

void tu_assert_contains(const char *hay, const char *needle);
