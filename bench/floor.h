/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdint.h>

/* Every function returns 0 (or the new ifindex) or the kernel's -errno. */
int floor_open(void);
int floor_macvtap_create(const char *name, int lower, const unsigned char mac[6], uint32_t mode);
int floor_tap_create(const char *name, const unsigned char mac[6], int bridge);
int floor_set_up(int ifindex, int up);
int floor_delete(int ifindex);
