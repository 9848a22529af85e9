/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: bytes as a client sends them, through the framing, the call
 * parser, the method lookup and the parameter checks (everything before a
 * library call), with the reply builders. */
#include <stdint.h>

#include "method.h"
#include "varlink-wire.h"

/* The server's part, never reached: a call that passes the checks stops here. */
vport_ctx *vd_ctx(vd_call *c) {
        return NULL;
}

void vd_emit(vd_server *s, const char *kind, json_object *object) {
        json_object_put(object);
}

static void one_message(const char *msg, size_t len) {
        vd_call call = { 0 };
        char *out = NULL;
        size_t out_len = 0;
        const vd_method *m;
        const char *why;
        vl_call vc;

        if (vl_call_parse(msg, len, &vc, &why) < 0)
                return;
        call.params = vc.parameters;
        m = vd_method_find(vc.method);
        if (m && vd_params_check(m, &call) >= 0) {
                /* the typed reads the handlers do */
                for (size_t i = 0; i < VD_PARAMS_MAX && m->params[i].name; i++) {
                        vport_uuid u;
                        vport_mac mac;
                        (void) vd_str(&call, m->params[i].name);
                        (void) vd_int(&call, m->params[i].name, 0);
                        (void) vd_uuid(&call, m->params[i].name, &u);
                        (void) vd_mac(&call, m->params[i].name, &mac);
                }
        }
        if (call.error)
                (void) vl_error_append(&out, &out_len, call.error, call.error_params);
        else
                (void) vl_reply_append(&out, &out_len, json_object_get(vc.parameters), vc.more);
        free(out);
        vl_call_clear(&vc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        vl_inbuf in = { 0 };
        const char *msg;
        size_t len, off = 0;

        /* fed in uneven pieces, as recv() hands them over */
        while (off < size) {
                size_t k = size - off < 7 ? size - off : (size_t) data[off] % 61 + 1;
                if (k > size - off)
                        k = size - off;
                if (vl_inbuf_reserve(&in, k) < 0)
                        break;
                memcpy(in.data + in.len, data + off, k);
                in.len += k;
                off += k;
                int r;
                while ((r = vl_inbuf_next(&in, &msg, &len)) > 0)
                        one_message(msg, len);
                if (r < 0)
                        break;
        }
        vl_inbuf_clear(&in);
        return 0;
}
