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
/* What activating a VM's n macvtaps on lower does at the least: for each,
 * the lower device up (as a step of its own: it may be down) and the
 * macvtap up. */
void floor_vm_up(int lower, const int *fl, int n);
