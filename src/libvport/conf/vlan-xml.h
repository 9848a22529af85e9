/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan> */
#pragma once

#include <libxml/tree.h>

#include "base/vlan.h"

/* Parse a <vlan> element into ret (cleared first; freed on error). Returns 0
 * or -EINVAL/-ENOMEM with err naming the element and attribute. */
int vlan_def_parse(xmlNodePtr node, vport_vlan *ret, vport_error *err);

/* Append <vlan> under parent if vlan has tags. Returns 0 or -ENOMEM. */
int vlan_def_format(xmlNodePtr parent, const vport_vlan *vlan);
