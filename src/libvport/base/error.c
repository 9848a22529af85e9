/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int vport_error_set(vport_error *err, int code, const char *fmt, ...) {
        va_list ap;

        if (!err)
                return code;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return code;
}

int vport_error_prefix(vport_error *err, int code, const char *fmt, ...) {
        char prefix[VPORT_ERROR_MAX], old[VPORT_ERROR_MAX];
        va_list ap;

        if (!err)
                return code;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        snprintf(old, sizeof(old), "%s", vport_error_message(err, code));
        snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
        err->code = code;
        return code;
}

bool vport_error_isset(const vport_error *err) {
        return err && err->message[0];
}

void vport_error_clear(vport_error *err) {
        if (!err)
                return;
        err->code = 0;
        err->message[0] = '\0';
}

const char *vport_error_message(const vport_error *err, int code) {
        if (vport_error_isset(err))
                return err->message;
        return strerror(code < 0 ? -code : code);
}
