/* liblzma, loaded the first time libxml2 asks for it.
 *
 * libxml2 calls liblzma only to read a file compressed with xz (xzlib.c,
 * behind xmlReadFile() and its input callbacks); vport reads its documents
 * itself and hands libxml2 memory. Linked from its archive, liblzma still
 * costs every start of the CLI: its crc64 code picks an implementation in
 * a constructor (crc64_set_func()), asking the CPU for its features, and a
 * cpuid is a VM exit on a virtual machine (~3.5 us each here; ~16 us of a
 * direct port-create --prepare in a profile). The programs linked with
 * -Dstatic_deps link this file instead: it defines the four liblzma calls
 * libxml2's archive makes, under liblzma's own names from <lzma.h>, and
 * opens the real liblzma.so.5 at the first one. An .xz document is read as
 * with liblzma linked; if liblzma cannot be opened, the decoder cannot be
 * made (LZMA_MEM_ERROR) and libxml2 reports the file unreadable.
 * meson.build links this only if libxml2's archive needs no other liblzma
 * symbol. */
#include <dlfcn.h>
#include <lzma.h>
#include <pthread.h>
#include <stdbool.h>

static struct {
        lzma_ret (*auto_decoder)(lzma_stream *, uint64_t, uint32_t);
        lzma_ret (*code)(lzma_stream *, lzma_action);
        void (*end)(lzma_stream *);
        lzma_ret (*properties_decode)(lzma_filter *, const lzma_allocator *, const uint8_t *, size_t);
} xz;
static pthread_once_t xz_once = PTHREAD_ONCE_INIT;

static void xz_load(void) {
        void *h = dlopen("liblzma.so.5", RTLD_NOW | RTLD_LOCAL);

        if (!h)
                return;
        /* All or nothing: a stream is made only if every call it needs resolved. */
        *(void **) &xz.code = dlsym(h, "lzma_code");
        *(void **) &xz.end = dlsym(h, "lzma_end");
        *(void **) &xz.properties_decode = dlsym(h, "lzma_properties_decode");
        if (xz.code && xz.end && xz.properties_decode)
                *(void **) &xz.auto_decoder = dlsym(h, "lzma_auto_decoder");
}

static bool xz_loaded(void) {
        (void) pthread_once(&xz_once, xz_load);
        return xz.auto_decoder != NULL;
}

/* The way in for a stream: lzma_code() and lzma_end() only see streams this
 * made (or LZMA_STREAM_INIT ones, which lzma_end() leaves alone). */
lzma_ret lzma_auto_decoder(lzma_stream *strm, uint64_t memlimit, uint32_t flags) {
        return xz_loaded() ? xz.auto_decoder(strm, memlimit, flags) : LZMA_MEM_ERROR;
}

lzma_ret lzma_code(lzma_stream *strm, lzma_action action) {
        return xz_loaded() ? xz.code(strm, action) : LZMA_PROG_ERROR;
}

void lzma_end(lzma_stream *strm) {
        if (xz_loaded())
                xz.end(strm);
}

lzma_ret lzma_properties_decode(lzma_filter *filter, const lzma_allocator *allocator, const uint8_t *props,
                                size_t props_size) {
        return xz_loaded() ? xz.properties_decode(filter, allocator, props, props_size) : LZMA_OPTIONS_ERROR;
}
