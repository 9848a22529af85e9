/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names that reach paths, commands, the kernel, the store or a terminal are
 * checked here first: one validator, with a small policy per kind. */
#pragma once

#include <stdint.h>

#include "error.h"

#define VPORT_IFNAMSIZ 16 /* IFNAMSIZ: 15 chars + NUL */
#define VPORT_NAME_MAX 200

typedef enum vport_name_kind {
        NAME_IFNAME,    /* a Linux interface name */
        NAME_NETWORK,   /* a network name: becomes a file name, as in libvirt */
        NAME_OWNER,     /* an owner (VM) name, as libvirt allows a domain name */
        NAME_PORTGROUP, /* a portgroup name */
        NAME_DEVICE,    /* a pool device asked for: a PCI address or an interface name */
        _NAME_KIND_MAX,
} vport_name_kind;

/* Check value as a name of that kind. Every kind: 1..200 bytes of valid,
 * shortest-form UTF-8 with no control character (U+0000-U+001F,
 * U+007F-U+009F) and no code point XML 1.0 cannot carry (surrogates,
 * U+FFFE, U+FFFF): such a value could not be stored in a document and read
 * back, nor printed as one line. On top of that, per kind:
 *  - NAME_IFNAME: 1..15 bytes of [A-Za-z0-9_.@+-], not "." or "..";
 *  - NAME_NETWORK: no whitespace, no '/', no leading '.';
 *  - NAME_OWNER, NAME_PORTGROUP: spaces allowed;
 *  - NAME_DEVICE: a PCI address or an interface name.
 * Returns 0 or -EINVAL with err naming the kind and the value up to the
 * offending byte (never the byte itself: it may be a newline). */
int name_check(vport_name_kind kind, const char *value, vport_error *err);

/* name_check(NAME_IFNAME, ...) */
int ifname_check(const char *name, vport_error *err);

/* name_check(NAME_NETWORK, ...) */
int netname_check(const char *name, vport_error *err);

/* The length of the valid UTF-8 sequence at p (1-4), or 0 if p does not
 * start one (a stray continuation byte, an overlong form, a surrogate, a
 * code point above U+10FFFF, or a sequence cut short). *ret_cp receives the
 * code point. */
size_t utf8_decode(const char *p, uint32_t *ret_cp);

/* At a library entry point: return name_check()'s error if value is not a
 * valid name of that kind (before it reaches the store or a message). */
#define name_check_return(kind, value, err)                   \
        do {                                                  \
                int _nr = name_check((kind), (value), (err)); \
                if (_nr < 0)                                  \
                        return _nr;                           \
        } while (0)
